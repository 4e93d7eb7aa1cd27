import { ConfigError } from '../../lib/errors';
import { lakeUrlProblem } from '../../lib/lake/s3-url';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import { runMain } from '../../lib/run-main';
import { parseRefineArgs } from './cli-options';

// `npm run refine -- <job> [--input URL] [--output URL]`: lake -> silver/ and gold/ Parquet.
void runMain('refine', async ({ config, log, metrics }) => {
  const args = parseRefineArgs(process.argv.slice(2));
  const job = refineJobNamed(args.job);
  const inputUrl = args.input ?? config.lakeUrl;
  const outputUrl = args.output ?? config.lakeUrl;
  const problems = [lakeUrlProblem(inputUrl), lakeUrlProblem(outputUrl)].filter((p): p is string =>
    Boolean(p),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  if (args.engine === 'athena') {
    throw new ConfigError(['--engine athena runs inside AWS only (see docs/ATHENA.md).']);
  }
  const result = await runRefine({
    job,
    inputUrl,
    outputUrl,
    options: { since: args.since, until: args.until, now: new Date() },
    memoryLimit: config.refine.memoryLimit,
    threads: config.refine.threads,
    workRoot: config.refine.workDir,
    s3: config.aws,
    log,
  });
  metrics.add({ records: Object.values(result.outputs).reduce((sum, n) => sum + n, 0) });
});
