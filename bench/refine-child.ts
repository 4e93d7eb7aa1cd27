import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dataFileKey } from '../lib/lake/keys';
import { createLogger } from '../lib/logger';
import { openDuck, sqlString } from '../lib/refine/duckdb';
import { refineJobNamed } from '../lib/refine/jobs/registry';
import { runRefine } from '../lib/refine/run-refine';
import { SILVER_SOURCES } from '../lib/refine/silver/registry';

// One measured run, in its own process so its peak RSS is its own:
//   node --import tsx bench/refine-child.ts <floor|silver> <lake folder> <memory limit> <threads>
// prints {"ms": …, "maxRssMb": …}.
async function main(): Promise<void> {
  const [mode, lake, memoryLimit, threadsText] = process.argv.slice(2);
  if (!mode || !lake || !memoryLimit || !threadsText)
    throw new Error('usage: <floor|silver> <lake> <memory limit> <threads>');
  const threads = Number(threadsText);
  const out = await mkdtemp(path.join(tmpdir(), `refine-bench-${mode}-`));
  const started = performance.now();
  try {
    if (mode === 'silver') {
      await runRefine({
        job: refineJobNamed('silver'),
        inputUrl: lake,
        outputUrl: out,
        options: { now: new Date() },
        memoryLimit,
        threads,
        log: createLogger({ level: 'silent' }),
      });
    } else {
      // The floor: DuckDB reading each stream file with the same columns and writing it as ZSTD Parquet, nothing else.
      const duck = await openDuck({ memoryLimit, threads, tempDirectory: path.join(out, 'spill') });
      await mkdir(path.join(out, 'floor'), { recursive: true });
      for (const source of SILVER_SOURCES) {
        const file = path.join(lake, dataFileKey(source.file));
        if (!existsSync(file)) continue;
        const columns = Object.entries(source.columns)
          .map(([name, type]) => `${sqlString(name)}: ${sqlString(type.replace(/\s+/g, ' '))}`)
          .join(', ');
        await duck.run(
          `COPY (SELECT * FROM read_json(${sqlString(file)}, format = 'array', columns = {${columns}})) TO ${sqlString(path.join(out, 'floor', `${source.stream}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
        );
      }
      duck.close();
    }
    const ms = performance.now() - started;
    process.stdout.write(
      `${JSON.stringify({ ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

void main();
