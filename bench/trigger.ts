import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { machineLine, table, writeSection } from './lib/report';
import { slsPackageOffline } from '../scripts/sls-offline';
import { timeStep } from './lib/step';
import { withTempFolder } from './lib/temp-folder';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);
const INIT_RUNS = 7;

/** The trigger bundle's size and its module-load time. */
export interface TriggerResult {
  zipBytes: number;
  bundleBytes: number;
  /** Each run's `require` time of the bundled handler, ms, in run order. */
  initMs: number[];
  medianInitMs: number;
}

/** `require` time of the bundled handler in each of {@link INIT_RUNS} fresh processes, ms. */
async function timeInits(handler: string): Promise<number[]> {
  const initMs: number[] = [];
  for (let i = 0; i < INIT_RUNS; i++) {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        `const t=performance.now();require(${JSON.stringify(handler)});process.stdout.write(String(performance.now()-t))`,
      ],
      { env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(ROOT, 'node_modules') } },
    );
    initMs.push(Number(stdout));
  }
  return initMs;
}

/**
 * Build the trigger as a deploy does (`sls package`, offline), then time `require` of the bundled
 * handler in fresh processes (what a Lambda cold start pays for our code; `@aws-sdk/client-ecs`
 * comes from node_modules as the Lambda runtime provides it).
 *
 * @throws Error when packaging or loading fails.
 */
export async function benchTrigger(): Promise<TriggerResult> {
  return withTempFolder('bench-trigger-', async (dir) => {
    await timeStep('trigger/package', () => slsPackageOffline(dir, 'prod', 120_000));
    const zip = path.join(dir, 'trigger.zip');
    const zipBytes = (await stat(zip)).size;
    const unzipped = path.join(dir, 'unzipped');
    await run('unzip', ['-q', zip, '-d', unzipped]);
    const handler = path.join(unzipped, 'handlers/trigger.js');
    const bundleBytes = (await stat(handler)).size;
    const initMs = await timeStep('trigger/init', () => timeInits(handler));
    const sorted = [...initMs].sort((a, b) => a - b);
    return { zipBytes, bundleBytes, initMs, medianInitMs: sorted[Math.floor(sorted.length / 2)] as number };
  });
}

/** Run the trigger bench and write the `## Trigger` section of `file` (docs/BENCHMARKS.md by default). */
export async function runTriggerBench(file?: string): Promise<void> {
  const r = await benchTrigger();
  process.stderr.write(`trigger: ${JSON.stringify(r)}\n`);
  const kib = (b: number): string => `${b.toLocaleString('en-US')} bytes (${Math.round(b / 1024)} KiB)`;
  const body = [
    machineLine(),
    '',
    'The trigger Lambda as `npx sls package` builds it (serverless-esbuild: bundled, minified, `keepNames`, no',
    'source map, CommonJS, Node 22 target, `@aws-sdk/*` left to the Lambda runtime). Init = `require` of the',
    `bundled handler in a fresh process (\`@aws-sdk/client-ecs\` from node_modules), ${INIT_RUNS} runs.`,
    '',
    table(
      ['figure', 'value'],
      [
        ['`trigger.zip` (what Lambda receives)', kib(r.zipBytes)],
        ['`handlers/trigger.js` unzipped', kib(r.bundleBytes)],
        ['handler init, median', `${r.medianInitMs.toFixed(0)} ms`],
        ['handler init, each run', r.initMs.map((ms) => ms.toFixed(0)).join(', ') + ' ms'],
      ],
    ),
    '',
    'Decisions the numbers drove: the source map was 6.7 MB of a 7.8 MB bundle, so it is left out (`keepNames`',
    'keeps stack traces readable); full `zod` added ~440 KiB of locales, so the trigger validates with `zod/mini`.',
    '`@sentry/*` is most of what remains (~530 KiB unzipped); it is loaded once per container.',
    '`tests/integration/template.test.ts` fails if the zip grows past 1 MiB.',
    '',
    'Reproduce: `npm run bench -- --only trigger`.',
  ].join('\n');
  await writeSection('Trigger', body, file);
  process.stdout.write(`\n## Trigger\n\n${body}\n`);
}
