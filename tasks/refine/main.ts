import { AthenaClient } from '@aws-sdk/client-athena';
import { ConfigError } from '../../lib/errors';
import { openLake } from '../../lib/lake/open-lake';
import { isS3Url, lakeUrlProblem } from '../../lib/lake/s3-url';
import { runGoldJobOnAthena } from '../../lib/refine/athena';
import { GOLD_JOBS, refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import { runMain } from '../../lib/run-main';
import { parseRefineArgs } from './cli-options';

// `npm run refine -- <job> [--input URL] [--output URL] [--engine duckdb|athena]`: lake -> silver/ and gold/.
void runMain('refine', async ({ config, log, metrics }) => {
  const args = parseRefineArgs(process.argv.slice(2));
  const job = refineJobNamed(args.job);
  const inputUrl = args.input ?? config.lakeUrl;
  const outputUrl = args.output ?? config.lakeUrl;
  const problems = [lakeUrlProblem(inputUrl), lakeUrlProblem(outputUrl)].filter((p): p is string =>
    Boolean(p),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const options = { since: args.since, until: args.until, now: new Date() };
  if (args.engine === 'athena') {
    const gold = GOLD_JOBS.find((g) => g.name === job.name);
    const { workgroup, database } = config.refine.athena;
    const wrong = [
      gold
        ? undefined
        : `--engine athena runs the gold jobs (${GOLD_JOBS.map((g) => g.name).join(', ')}), not ${job.name}.`,
      workgroup && database
        ? undefined
        : 'ATHENA_WORKGROUP and GLUE_DATABASE must be set for --engine athena (serverless.yml sets them in AWS).',
      isS3Url(outputUrl) && inputUrl === outputUrl
        ? undefined
        : '--engine athena reads and writes one s3:// lake: give no --input/--output, or the same s3:// URL.',
    ].filter((p): p is string => Boolean(p));
    if (wrong.length > 0 || !gold || !workgroup || !database) throw new ConfigError(wrong);
    await runGoldJobOnAthena(gold, options, {
      client: new AthenaClient({ region: config.aws.region }),
      workgroup,
      database,
      lake: openLake(outputUrl, { s3: config.aws }),
      lakeUrl: outputUrl,
      log,
    });
    return;
  }
  const result = await runRefine({
    job,
    inputUrl,
    outputUrl,
    options,
    memoryLimit: config.refine.memoryLimit,
    threads: config.refine.threads,
    workRoot: config.refine.workDir,
    s3: config.aws,
    log,
  });
  metrics.add({ records: Object.values(result.outputs).reduce((sum, n) => sum + n, 0) });
});
