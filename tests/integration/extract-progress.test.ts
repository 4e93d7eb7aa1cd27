import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { silentLogger } from '../../lib/logger';
import { ExtractProgress } from '../../lib/progress';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { runExtract } from '../../tasks/extract/run-extract';

describe('extract progress', () => {
  let sandbox: Sandbox;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 4, contacts: 30, conversations: 20 });
    dir = await mkdtemp(path.join(tmpdir(), 'lake-progress-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function extractWithProgress(): Promise<ExtractProgress> {
    const client = createIntercomClient({ baseUrl: sandbox.url, token: sandbox.token, apiVersion: '2.14' });
    const progress = new ExtractProgress({
      log: silentLogger(),
      readRequests: () => client.stats,
      tty: false,
    });
    const store = new FolderStore(dir);
    await runExtract({
      client,
      store,
      log: silentLogger(),
      apiUrl: sandbox.url,
      apiVersion: '2.14',
      progress,
    });
    await client.close();
    return progress;
  }

  it('counts every contact, conversation, company, ticket and part, and takes the ETA total from the last published run', async () => {
    const first = await extractWithProgress();
    expect(first.totals.conversations).toBeUndefined();
    expect(first.counts.contacts).toBe(sandbox.workspace.contactCount);
    expect(first.counts.conversations).toBe(sandbox.workspace.conversationCount);
    expect(first.counts.parts).toBeGreaterThan(0);
    expect(first.counts.companies).toBe(sandbox.workspace.companyCount);
    expect(first.counts.tickets).toBe(sandbox.workspace.ticketCount);

    const second = await extractWithProgress();
    expect(second.totals.conversations).toBe(sandbox.workspace.conversationCount);
  });
});
