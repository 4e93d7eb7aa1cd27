import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { EVENTS_PREFIX } from '../lib/lake/keys';
import { FolderStore } from '../lib/lake/folder-store';
import { startSandbox } from '../sandbox/server';
import { deliverNotification, notificationOf, type NotificationBody } from '../sandbox/webhooks';
import { createTestDatabase } from '../tests/helpers/database';
import { machineLine, table, writeSection } from './lib/report';
import { withTempFolder } from './lib/temp-folder';

/** What the webhook bench sends. */
export interface WebhookBenchPlan {
  notifications: number;
  senders: number;
  /** Size of the sandbox workspace the notifications are about. */
  contacts: number;
  conversations: number;
}

/** What it measured, in ms. */
export interface WebhookBenchResult {
  plan: WebhookBenchPlan;
  latency: { p50: number; p99: number; max: number };
  freshness: { p50: number; p95: number; p99: number; max: number };
  /** From the first send to the last notification applied. */
  totalMs: number;
  statuses: Record<string, number>;
  applied: number;
  duplicates: number;
  lakeLines: number;
}

const SECRET = 'bench-client-secret';
const ROOT = path.resolve(__dirname, '..');
/** Goals of issue 15, locally. */
const GOALS = { latencyP99Ms: 100, freshnessP95Ms: 3000 };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** A free loopback port (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `plan.notifications` signed notifications about the sandbox's contacts and conversations, sent by
 * `plan.senders` concurrent senders to `npm run stream` in its own process (receiver, kinesalite, lake
 * writer, consumer into MariaDB), as it runs for a user; the sandbox (Intercom) and the senders share
 * this process. Receiver latency: send to whole answer, per request. Freshness: receipt (Kinesis's
 * arrival time) to applied, from the stream's `notification consumed` log lines.
 */
export async function benchWebhooks(plan: WebhookBenchPlan): Promise<WebhookBenchResult> {
  const sandbox = await startSandbox({
    contacts: plan.contacts,
    conversations: plan.conversations,
    seed: 15,
  });
  const db = await createTestDatabase();
  try {
    return await withTempFolder('bench-webhooks-', async (folder) => {
      const store = new FolderStore(folder);
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tasks/stream/main.ts')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          INTERCOM_API_URL: sandbox.url,
          INTERCOM_ACCESS_TOKEN: sandbox.token,
          INTERCOM_CLIENT_SECRET: SECRET,
          STREAM_PORT: String(port),
          LAKE_URL: folder,
          DATABASE_URL: db.url,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const freshness: number[] = [];
      let applied = 0;
      let duplicates = 0;
      let lastApplied = 0;
      let listening: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (listening = resolve));
      let output = '';
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('Webhook receiver listening')) listening();
      });
      // The logger writes JSON lines to stderr when it is not a terminal.
      createInterface({ input: child.stderr }).on('line', (line) => {
        output = `${output}${line}\n`.slice(-4000);
        if (!line.startsWith('{')) return;
        const entry = JSON.parse(line) as { msg?: string; status?: string; freshnessMs?: number };
        if (entry.msg !== 'notification consumed') return;
        if (entry.status === 'duplicate') duplicates += 1;
        else applied += 1;
        lastApplied = performance.now();
        if (typeof entry.freshnessMs === 'number') freshness.push(entry.freshnessMs);
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        await Promise.race([
          ready,
          exited.then((code) => {
            throw new Error(`npm run stream exited (${code}) before listening: ${output.slice(-2000)}`);
          }),
        ]);
        const { workspace } = sandbox;
        const bodies: NotificationBody[] = Array.from({ length: plan.notifications }, (_, i) =>
          i % 2 === 0
            ? notificationOf('contact.user.updated', {
                type: 'contact',
                id: workspace.contactAt((i * 7) % workspace.contactCount).id,
              })
            : notificationOf('conversation.admin.replied', {
                type: 'conversation',
                id: workspace.conversationSummaryAt((i * 5) % workspace.conversationCount).id,
              }),
        );
        const url = `http://127.0.0.1:${port}/webhooks/intercom`;
        const latency: number[] = [];
        const statuses: Record<string, number> = {};
        let next = 0;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: plan.senders }, async () => {
            for (let i = next++; i < bodies.length; i = next++) {
              const answer = await deliverNotification(url, bodies[i] as NotificationBody, SECRET);
              latency.push(answer.ms);
              statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
            }
          }),
        );
        const deadline = Date.now() + 120_000;
        while (applied + duplicates < plan.notifications && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        let lakeLines = 0;
        while (Date.now() < deadline) {
          lakeLines = 0;
          for (const key of await store.list(EVENTS_PREFIX)) {
            const chunks: Buffer[] = [];
            for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
            lakeLines += Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).length;
          }
          if (lakeLines >= plan.notifications) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        latency.sort((a, b) => a - b);
        freshness.sort((a, b) => a - b);
        return {
          plan,
          latency: { p50: percentile(latency, 50), p99: percentile(latency, 99), max: latency.at(-1) ?? NaN },
          freshness: {
            p50: percentile(freshness, 50),
            p95: percentile(freshness, 95),
            p99: percentile(freshness, 99),
            max: freshness.at(-1) ?? NaN,
          },
          totalMs: lastApplied - started,
          statuses,
          applied,
          duplicates,
          lakeLines,
        };
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    });
  } finally {
    await sandbox.close();
    await db.drop();
  }
}

const ms = (n: number): string => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;

/** Run the webhook bench and write its section of docs/BENCHMARKS.md. */
export async function runWebhookBench(plan: WebhookBenchPlan, file?: string): Promise<WebhookBenchResult> {
  const result = await benchWebhooks(plan);
  const { latency, freshness } = result;
  const body = `${machineLine()}

${plan.notifications.toLocaleString('en-US')} signed notifications (half \`contact.user.updated\`, half
\`conversation.admin.replied\`, about ${plan.contacts} contacts and ${plan.conversations} conversations of the
sandbox) from ${plan.senders} concurrent senders to \`npm run stream\` in its own process: the receiver (Hono on
@hono/node-server, HMAC check, put on the in-process kinesalite), the lake writer and the consumer (GET of the
record from the sandbox over HTTP, then one MariaDB transaction; up to 16 items at once, one item's notifications
in order). The sandbox and the senders run in the bench's process. Receiver latency is send to whole answer, at
the sender; freshness is receipt (Kinesis arrival) to applied in the warehouse, from the stream's
\`notification consumed\` log lines. Both processes share the machine's 2 cores.

| figure | value | goal |
| --- | --- | --- |
| receiver latency p50 | ${ms(latency.p50)} | |
| receiver latency p99 | ${ms(latency.p99)} | < ${GOALS.latencyP99Ms} ms: ${latency.p99 < GOALS.latencyP99Ms ? 'met' : 'missed'} |
| receiver latency max | ${ms(latency.max)} | Intercom waits 5 s |
| freshness p50 | ${ms(freshness.p50)} | |
| freshness p95 | ${ms(freshness.p95)} | < ${GOALS.freshnessP95Ms} ms: ${freshness.p95 < GOALS.freshnessP95Ms ? 'met' : 'missed'} |
| freshness p99 / max | ${ms(freshness.p99)} / ${ms(freshness.max)} | |
| first send to last applied | ${ms(result.totalMs)} (${Math.round((plan.notifications / result.totalMs) * 1000)} notifications/s) | |

${table(
  ['answers', 'applied', 'duplicates', 'lines in events/'],
  [
    [
      Object.entries(result.statuses)
        .map(([s, n]) => `${n} × ${s}`)
        .join(', '),
      result.applied,
      result.duplicates,
      result.lakeLines,
    ],
  ],
)}

Reproduce: \`npm run bench -- --only webhooks\`.`;
  await writeSection('Webhooks', body, file);
  return result;
}
