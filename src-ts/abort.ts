/**
 * AbortSignal support (README.md, "API"): the AbortError child_process rejects with,
 * and the listener plumbing every abortable step shares.
 */

/**
 * What an aborted create(), run() or exec() rejects with, shaped like child_process's:
 * name 'AbortError', code 'ABORT_ERR', `cause` the signal's reason.
 */
export class AbortError extends Error {
  readonly code: 'ABORT_ERR' = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/** Throws the AbortError of an aborted signal (nothing happens without one). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Runs `fn` once when `signal` aborts (at once if it has); returns what stops listening.
 * Every caller stops listening once what it guards is over, so a long-lived signal
 * collects no listeners.
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    fn();
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
