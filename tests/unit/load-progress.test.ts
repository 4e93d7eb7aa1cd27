import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../lib/logger';
import { LoadProgress } from '../../lib/progress';

describe('LoadProgress', () => {
  it('logs records per stream against the manifest, a percentage weighed in bytes, a rate and an ETA', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const progress = new LoadProgress({
      log: createLogger({ level: 'info', destination: out }),
      // Contacts are small (100 bytes each), conversations large (10,000 bytes each).
      // Companies and tickets hold nothing here, so they weigh nothing.
      totals: {
        users: { count: 1000, bytes: 100_000 },
        conversations: { count: 100, bytes: 1_000_000 },
        companies: { count: 0, bytes: 0 },
        tickets: { count: 0, bytes: 0 },
      },
      tty: false,
      logEveryMs: 20,
    });
    progress.start();
    progress.records.users = 1000;
    progress.records.conversations = 50;
    await sleep(80);
    progress.stop();
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({
      msg: 'load progress',
      users: 1000,
      usersTotal: 1000,
      conversations: 50,
      conversationsTotal: 100,
      // (100,000 + 50 x 10,000) of 1,100,000 bytes; by records it would be 95 %.
      percent: 54,
    });
    expect(last.recordsPerSecond).toEqual(expect.any(Number));
    expect(last.etaSeconds).toEqual(expect.any(Number));
    const count = lines.length;
    await sleep(60);
    expect(text.trim().split('\n')).toHaveLength(count);
  });
});
