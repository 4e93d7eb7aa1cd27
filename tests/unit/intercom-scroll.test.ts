import { TransientError } from '../../lib/errors';
import { createIntercomClient, type IntercomClient } from '../../lib/intercom/client';
import { listStream } from '../../lib/intercom/stream-source';
import { COMPANIES } from '../../lib/streams/companies';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function setup(
  options: SandboxOptions,
  clientOptions: { scrollWaitMs?: number; maxAttempts?: number } = {},
): Promise<{ sandbox: Sandbox; client: IntercomClient }> {
  const sandbox = await startSandbox({ seed: 9, contacts: 20, conversations: 2, ...options });
  const client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    retryBaseMs: 20,
    ...clientOptions,
  });
  cleanups.push(
    () => sandbox.close(),
    () => client.close(),
  );
  return { sandbox, client };
}

async function companyIds(client: IntercomClient): Promise<string[]> {
  const out: string[] = [];
  for await (const item of listStream(client, COMPANIES)) out.push(String(item.id));
  return out;
}

function expectedIds(sandbox: Sandbox): string[] {
  return Array.from({ length: sandbox.workspace.companyCount }, (_, n) => sandbox.workspace.companyAt(n).id);
}

/** Open a scroll on the sandbox as another client of the same app would, and leave it open. */
async function openOtherScroll(sandbox: Sandbox): Promise<void> {
  const res = await fetch(`${sandbox.url}/companies/scroll`, {
    headers: { Authorization: `Bearer ${sandbox.token}`, 'Intercom-Version': '2.14' },
  });
  expect(res.status).toBe(200);
}

describe('the companies scroll over the sandbox', () => {
  it('lists every company once, in scroll order, ending on the empty page', async () => {
    const { sandbox, client } = await setup({ companies: 45, scrollPageSize: 10 });
    expect(await companyIds(client)).toEqual(expectedIds(sandbox));
    // 5 pages with companies, then the empty one.
    expect(sandbox.stats.byRoute['GET /companies/scroll']).toBe(6);
  });

  it('starts a new scroll after a 500 mid-scroll and still lists each company once', async () => {
    const { sandbox, client } = await setup({
      companies: 45,
      scrollPageSize: 10,
      faults: { scrollFailAfterPages: 3 },
    });
    expect(await companyIds(client)).toEqual(expectedIds(sandbox));
    expect(sandbox.stats.faults).toBe(1);
    // 3 pages, the 500, then a whole new scroll of 6 pages.
    expect(sandbox.stats.byRoute['GET /companies/scroll']).toBe(3 + 1 + 6);
  });

  it('starts a new scroll after a cut body rather than ask again with a param that may have moved on', async () => {
    const late: { sandbox?: Sandbox } = {};
    const { sandbox, client } = await setup({
      companies: 45,
      scrollPageSize: 10,
      // The cut page spent its companies and the scroll stays open until it idles out.
      scrollIdleMs: 100,
      // Only the third scroll page is cut.
      onRequest: (count, route) => {
        if (route !== 'GET /companies/scroll') return;
        if (count === 3) late.sandbox?.setFaults({ malformedEvery: 1 });
        if (count === 4) late.sandbox?.setFaults({});
      },
    });
    late.sandbox = sandbox;
    expect(await companyIds(client)).toEqual(expectedIds(sandbox));
    expect(sandbox.stats.faults).toBe(1);
  });

  it('waits while another scroll of the app is open, and starts once it has expired', async () => {
    const { sandbox, client } = await setup({ companies: 12, scrollPageSize: 5, scrollIdleMs: 300 });
    await openOtherScroll(sandbox);
    expect(await companyIds(client)).toEqual(expectedIds(sandbox));
    // At least one start was refused with scroll_exists before the other scroll expired.
    expect(sandbox.stats.byRoute['GET /companies/scroll']).toBeGreaterThan(1 + 4);
  });

  it('gives up with a clear error when another scroll stays open past the wait', async () => {
    const { sandbox, client } = await setup(
      { companies: 12, scrollPageSize: 5, scrollIdleMs: 60_000 },
      { scrollWaitMs: 200 },
    );
    await openOtherScroll(sandbox);
    const error = await companyIds(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /another is open for this app .* run again when it has finished/,
    );
    // One wait, not one per restart: tries 20 + 40 + 80 + 60 ms apart, then the refusal is final.
    expect(sandbox.stats.byRoute['GET /companies/scroll']).toBe(1 + 5);
  });

  it('gives up when every scroll breaks before listing anything new', async () => {
    const { client } = await setup(
      { companies: 12, scrollPageSize: 5, scrollIdleMs: 50, faults: { malformedEvery: 1 } },
      { maxAttempts: 2 },
    );
    const error = await companyIds(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /scroll over \/companies\/scroll broke 3 times in a row .*last: .*unparseable 200 body/,
    );
  });
});
