/** Where step lines go: stderr, so stdout keeps only the sections the bench prints. */
export type StepSink = (line: string) => void;

const toStderr: StepSink = (line) => {
  process.stderr.write(line);
};

/**
 * Run one step of the bench and log how long it took to stderr as `bench step <name>: <seconds> s`
 * (with ` (failed)` when it threw), so a whole run shows where its minutes go.
 *
 * @throws whatever `fn` throws, after logging the step.
 */
export async function timeStep<T>(name: string, fn: () => Promise<T>, sink: StepSink = toStderr): Promise<T> {
  const started = performance.now();
  let failed = true;
  try {
    const result = await fn();
    failed = false;
    return result;
  } finally {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    sink(`bench step ${name}: ${seconds} s${failed ? ' (failed)' : ''}\n`);
  }
}
