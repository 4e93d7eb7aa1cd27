import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { STREAMS } from '../../lib/streams/registry';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runCli } from '../helpers/run-cli';

const EXTRACT = 'tasks/extract/main.ts';

async function hashFolder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(path.join(dir, 'data'))).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(path.join(dir, 'data', name)))
      .digest('hex');
  }
  return out;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run extract (tasks/extract/main.ts)', () => {
  let sandbox: Sandbox;
  let lake: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, contacts: 40, conversations: 12 });
    lake = await mkdtemp(path.join(tmpdir(), 'lake-cli-'));
    const first = await runCli(EXTRACT, {
      INTERCOM_API_URL: sandbox.url,
      INTERCOM_ACCESS_TOKEN: sandbox.token,
      LAKE_URL: lake,
    });
    expect(first.stderr).not.toContain(sandbox.token);
    expect(first.code).toBe(0);
    before = await hashFolder(lake);
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(lake, { recursive: true, force: true });
  });

  it("exits 0 and publishes every stream's file (users.json, conversations.json, ...) and manifest.json to data/", () => {
    expect(Object.keys(before).sort()).toEqual([...STREAMS.map((s) => s.file), 'manifest.json'].sort());
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['users.json', 'conversations.json']));
  });

  it('refuses a wrong token with a clear error, a non-zero exit code and data/ untouched', async () => {
    const wrong = `wrong-${sandbox.token.slice(0, 6)}-token`;
    const result = await runCli(EXTRACT, {
      INTERCOM_API_URL: sandbox.url,
      INTERCOM_ACCESS_TOKEN: wrong,
      LAKE_URL: lake,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/401/);
    expect(result.stderr).toMatch(/INTERCOM_ACCESS_TOKEN/);
    expect(result.stderr).not.toContain(wrong);
    expect(await hashFolder(lake)).toEqual(before);
  });

  it('names an unknown region and what to use instead', async () => {
    const result = await runCli(EXTRACT, {
      INTERCOM_API_URL: 'https://api.jp.intercom.io',
      INTERCOM_ACCESS_TOKEN: 'x-token-x',
      LAKE_URL: lake,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('api.jp.intercom.io');
    expect(result.stderr).toContain('https://api.eu.intercom.io');
    expect(await hashFolder(lake)).toEqual(before);
  });

  it('fails clearly when the API is unreachable and leaves data/ as it was', async () => {
    const result = await runCli(EXTRACT, {
      INTERCOM_API_URL: `http://127.0.0.1:${await closedPort()}`,
      INTERCOM_ACCESS_TOKEN: 'some-token',
      LAKE_URL: lake,
      INTERCOM_MAX_ATTEMPTS: '2',
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/reach|connect|ECONNREFUSED/i);
    expect(await hashFolder(lake)).toEqual(before);
  });

  it('fails clearly on pages that stay malformed and leaves data/ as it was', async () => {
    const broken = await startSandbox({
      seed: 3,
      contacts: 40,
      conversations: 12,
      faults: { malformedEvery: 1 },
      // Each cut scroll page leaves the scroll open until it idles out (a minute at Intercom).
      scrollIdleMs: 100,
    });
    try {
      const result = await runCli(EXTRACT, {
        INTERCOM_API_URL: broken.url,
        INTERCOM_ACCESS_TOKEN: broken.token,
        LAKE_URL: lake,
        INTERCOM_MAX_ATTEMPTS: '2',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/unparseable|malformed/i);
      expect(await hashFolder(lake)).toEqual(before);
    } finally {
      await broken.close();
    }
  });
});
