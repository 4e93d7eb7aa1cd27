import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runExtractBenches } from '../../bench/extract-report';

describe('bench harness (tiny run)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bench-smoke-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('measures our extract and the three comparators on one sandbox, checks their records, and writes the Extract section', async () => {
    const file = path.join(dir, 'BENCHMARKS.md');
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      await runExtractBenches(
        {
          speed: {
            contacts: 60,
            conversations: 30,
            sequential: [10, 3],
            sdk: [20, 5],
            'sdk-sequential': [8, 2],
          },
          memory: [{ contacts: 50, conversations: 10, cappedOnly: true }],
          deployedArgs: ['--max-old-space-size=128'],
        },
        file,
      );
    } finally {
      process.stdout.write = write;
    }
    const text = await readFile(file, 'utf8');
    expect(text).toContain('## Extract');
    expect(text).toMatch(/\| sequential \| 10 \+ 3 \(subset, equal to ours: yes\)/);
    expect(text).toMatch(/\| sdk \| 20 \+ 5 \(subset, equal to ours: yes\)/);
    expect(text).toMatch(/\| sdk-sequential \| 8 \+ 2 \(subset, equal to ours: yes\)/);
    expect(text).toMatch(/\| 50 \| 10 \| [\d,]+ \| `--max-old-space-size=128` \|/);
  }, 60_000);
});
