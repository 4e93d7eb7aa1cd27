import { createIntercomClient, type IntercomClient } from '../../lib/intercom/client';
import { FolderStore } from '../../lib/lake/folder-store';
import { EVENTS_PREFIX } from '../../lib/lake/keys';
import { silentLogger } from '../../lib/logger';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import type { ConsumeResult } from '../../lib/events/consume';
import { startStream, type RunningStream } from '../../tasks/stream/run-stream';
import { createTestDatabase, queryDatabase, type TestDatabase } from './database';
import { createLakeFolder } from './fixture-lake';
import { createMutableWorkspace, type MutableWorkspace } from './mutable-workspace';
import type { ArrayContact, JsonRecord } from './array-workspace';

/** The client secret the harness's receiver checks (a test value, not a credential). */
export const TEST_CLIENT_SECRET = 'test-client-secret';

/** A sandbox, a warehouse, a folder lake and `npm run stream`'s parts, started for one test. */
export interface StreamHarness {
  sandbox: Sandbox;
  data: MutableWorkspace;
  db: TestDatabase;
  store: FolderStore;
  stream: RunningStream;
  client: IntercomClient;
  /** `<stream url>/webhooks/intercom`. */
  webhookUrl: string;
  /** Every record the consumer finished with, in order. */
  consumed: ConsumeResult[];
  /** Rows of `sql` in the test database. */
  query(sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Every line under events/, parsed. */
  lakeEvents(): Promise<Record<string, unknown>[]>;
  /** Keys under events/. */
  lakeEventKeys(): Promise<string[]>;
  close(): Promise<void>;
}

/** Start a {@link StreamHarness} serving `initial` from the sandbox. */
export async function startStreamHarness(initial: {
  contacts: ArrayContact[];
  conversations: JsonRecord[];
}): Promise<StreamHarness> {
  const data = createMutableWorkspace(initial);
  const sandbox = await startSandbox({ workspace: data.workspace });
  const db = await createTestDatabase();
  const lake = await createLakeFolder();
  const store = new FolderStore(lake.folder);
  const client = createIntercomClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    apiVersion: '2.14',
    maxAttempts: 2,
    retryBaseMs: 10,
  });
  const consumed: ConsumeResult[] = [];
  const stream = await startStream({
    clientSecret: TEST_CLIENT_SECRET,
    port: 0,
    streamName: 'test-events',
    store,
    databaseUrl: db.url,
    client,
    log: silentLogger(),
    lakeIntervalMs: 100,
    maxAttempts: 2,
    onConsumed: (result) => consumed.push(result),
  });
  const lakeEventKeys = () => store.list(EVENTS_PREFIX);
  return {
    sandbox,
    data,
    db,
    store,
    stream,
    client,
    webhookUrl: `${stream.url}/webhooks/intercom`,
    consumed,
    query: (sql, values = []) => queryDatabase(db.url, sql, values),
    lakeEventKeys,
    async lakeEvents() {
      const out: Record<string, unknown>[] = [];
      for (const key of await lakeEventKeys()) {
        const chunks: Buffer[] = [];
        for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
        for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
          if (line) out.push(JSON.parse(line) as Record<string, unknown>);
        }
      }
      return out;
    },
    async close() {
      await stream.close();
      await client.close();
      await sandbox.close();
      await db.drop();
      await lake.remove();
    },
  };
}

/** Wait until `check` returns true (polling every 25 ms); fails after `limitMs` with `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 15_000,
): Promise<void> {
  const until = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
