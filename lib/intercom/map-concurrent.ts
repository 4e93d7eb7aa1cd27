import pLimit from 'p-limit';

/** Options of {@link mapConcurrent}. */
export interface MapConcurrentOptions {
  /** How many `fn` calls run at once. */
  concurrency: number;
  /** How many results may wait (running or done, not yet yielded); bounds memory. */
  maxPending: number;
}

/**
 * `fn` over every item of `source`, several at a time, yielding results in source order.
 *
 * At most `maxPending` items are taken from `source` ahead of the consumer, so a slow consumer
 * slows the source (back-pressure) and memory stays bounded. The first error (by time) stops
 * taking new items; calls already running are left to settle, then that error is thrown. When the
 * consumer stops early, running calls settle before the generator returns.
 *
 * @throws the first error thrown by `fn` or by `source`.
 */
export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
  options: MapConcurrentOptions,
): AsyncGenerator<R> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const maxPending = Math.max(concurrency, Math.floor(options.maxPending));
  const limit = pLimit({ concurrency, rejectOnClear: true });
  const pending: Promise<R>[] = [];
  let failure: { error: unknown } | undefined;
  // Wakes the consumer when any call fails. A fresh one per wait: racing one long-lived promise
  // would add a reaction to it per item, and each reaction keeps its item alive until the end
  // (memory grew with the workspace size before this).
  let wake: (() => void) | undefined;
  const fail = (error: unknown): void => {
    if (failure) return;
    failure = { error };
    // Calls not yet started are dropped rather than run for nothing.
    limit.clearQueue();
    wake?.();
  };
  const iterator = source[Symbol.asyncIterator]();
  let sourceDone = false;
  // Results already settled: a settled head is handed on before more is taken from the source, so
  // a source slower than the calls (pages arriving one by one) does not hold finished results back.
  const settled = new WeakSet<Promise<R>>();
  try {
    for (;;) {
      while (!sourceDone && !failure && pending.length < maxPending) {
        const first = pending[0];
        if (first && settled.has(first)) break;
        let step: IteratorResult<T>;
        try {
          step = await iterator.next();
        } catch (error) {
          sourceDone = true;
          fail(error);
          break;
        }
        if (step.done) {
          sourceDone = true;
          break;
        }
        const item = step.value;
        const result = limit(() => fn(item));
        result.then(
          () => settled.add(result),
          (error: unknown) => {
            settled.add(result);
            fail(error);
          },
        );
        pending.push(result);
      }
      if (failure) break;
      const head = pending[0];
      if (!head) return;
      // Wake on the head's result or on any other call failing, whichever comes first.
      await new Promise<void>((resolve) => {
        wake = resolve;
        head.then(
          () => resolve(),
          () => resolve(),
        );
      });
      wake = undefined;
      if (failure) break;
      pending.shift();
      yield await head;
    }
    await Promise.allSettled(pending);
    throw (failure as { error: unknown }).error;
  } finally {
    limit.clearQueue();
    await Promise.allSettled(pending);
    if (!sourceDone) await iterator.return?.();
  }
}
