/** The listeners of one signal and the single `abort` listener that calls them. */
interface FanOut {
  listeners: Set<() => void>;
  handler: () => void;
}

const fanOuts = new WeakMap<AbortSignal, FanOut>();

/**
 * Call `listener` once when `signal` aborts; returns a function that unsubscribes it.
 *
 * Every listener of a signal shares one `abort` event listener on it. The client hands one run-wide
 * signal to each request, retry pause and budget wait; adding an event listener per request put 64
 * and more on it at once, and Node warned `MaxListenersExceededWarning` (a leak warning, which a
 * raised limit would only have hidden). The shared listener is removed when its last one unsubscribes.
 * Listeners added after the signal aborted are never called: check `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let fanOut = fanOuts.get(signal);
  if (!fanOut) {
    const created: FanOut = {
      listeners: new Set(),
      handler: () => {
        fanOuts.delete(signal);
        for (const l of [...created.listeners]) l();
        created.listeners.clear();
      },
    };
    fanOut = created;
    fanOuts.set(signal, created);
    signal.addEventListener('abort', created.handler, { once: true });
  }
  const own = fanOut;
  // A wrapper, so the same function subscribed twice is two subscriptions.
  const entry = (): void => listener();
  own.listeners.add(entry);
  return () => {
    if (!own.listeners.delete(entry) || own.listeners.size > 0) return;
    if (fanOuts.get(signal) === own) {
      fanOuts.delete(signal);
      signal.removeEventListener('abort', own.handler);
    }
  };
}
