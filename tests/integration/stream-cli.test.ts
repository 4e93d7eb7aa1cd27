import { spawn } from 'node:child_process';
import path from 'node:path';
import { FolderStore } from '../../lib/lake/folder-store';
import { EVENTS_PREFIX } from '../../lib/lake/keys';
import { startSandbox } from '../../sandbox/server';
import { deliverNotification, notificationOf } from '../../sandbox/webhooks';
import { createTestDatabase, queryDatabase } from '../helpers/database';
import { createLakeFolder } from '../helpers/fixture-lake';
import { waitFor } from '../helpers/stream-harness';
import { freePort } from '../helpers/free-port';

const ROOT = path.resolve(__dirname, '../..');

describe('npm run stream (the CLI, its consumer in a worker thread)', () => {
  it('applies a signed notification, writes it to events/, and stops on SIGTERM with exit code 0', async () => {
    const sandbox = await startSandbox({ contacts: 5, conversations: 3 });
    const db = await createTestDatabase();
    const lake = await createLakeFolder();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tasks/stream/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        INTERCOM_API_URL: sandbox.url,
        INTERCOM_ACCESS_TOKEN: sandbox.token,
        INTERCOM_CLIENT_SECRET: 'cli-secret',
        STREAM_PORT: String(port),
        LAKE_URL: lake.folder,
        DATABASE_URL: db.url,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor('the receiver listening', () => stdout.includes('Webhook receiver listening'), 30_000);
      const contact = sandbox.workspace.contactAt(2);
      const notification = notificationOf('contact.user.updated', { type: 'contact', id: contact.id });
      const answer = await deliverNotification(
        `http://127.0.0.1:${port}/webhooks/intercom`,
        notification,
        'cli-secret',
      );
      expect(answer.status).toBe(200);
      await waitFor('the contact applied', async () => {
        const rows = await queryDatabase(db.url, 'SELECT id FROM users');
        return rows.length === 1;
      });
      expect(await queryDatabase(db.url, 'SELECT id, topic FROM webhook_event')).toEqual([
        { id: notification.id, topic: 'contact.user.updated' },
      ]);
      expect(stderr).toMatch(/"msg":"notification consumed"/);
      const store = new FolderStore(lake.folder);
      await waitFor('the notification in events/', async () => (await store.list(EVENTS_PREFIX)).length > 0);
      const [key] = await store.list(EVENTS_PREFIX);
      const chunks: Buffer[] = [];
      for await (const chunk of await store.get(key as string)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(`${JSON.stringify(notification)}\n`);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await sandbox.close();
      await db.drop();
      await lake.remove();
    }
  });
});
