import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../lake/s3-store';
import { openLake } from '../lake/open-lake';
import type { Logger } from '../logger';
import { openDuck } from './duckdb';
import type { JobResult, RefineJob, RefineOptions } from './jobs/types';
import { LakeFiles } from './lake-files';

/** What one refine run needs, as plain values. */
export interface RefineRun {
  job: RefineJob;
  /** Lake read (folder or `s3://`). */
  inputUrl: string;
  /** Lake written. */
  outputUrl: string;
  options: RefineOptions;
  /** DuckDB's bounds; see docs/BENCHMARKS.md. */
  memoryLimit: string;
  threads: number;
  /** Parent of the run's private work folder (inputs staged from S3, outputs, DuckDB's spill). */
  workRoot?: string;
  s3?: Partial<S3Settings>;
  s3Client?: S3Client;
  log: Logger;
}

/**
 * Run one refine job alone: a fresh work folder and DuckDB, the job, then both removed whatever
 * happened.
 * @throws whatever the job throws (DataError for a lake without its inputs).
 */
export async function runRefine(run: RefineRun): Promise<JobResult> {
  const workDir = await mkdtemp(path.join(run.workRoot ?? tmpdir(), `refine-${run.job.name}-`));
  const duck = await openDuck({
    memoryLimit: run.memoryLimit,
    threads: run.threads,
    tempDirectory: path.join(workDir, 'spill'),
  });
  try {
    const lakeOptions = { s3: run.s3, s3Client: run.s3Client };
    const input = new LakeFiles(openLake(run.inputUrl, lakeOptions), path.join(workDir, 'input'));
    const output = new LakeFiles(openLake(run.outputUrl, lakeOptions), path.join(workDir, 'output'));
    run.log.info({ job: run.job.name, input: input.url, output: output.url }, 'refine started');
    const result = await run.job.run({ input, output, duck, workDir, log: run.log, options: run.options });
    run.log.info({ job: run.job.name, ...result.outputs }, 'refine finished');
    return result;
  } finally {
    duck.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
