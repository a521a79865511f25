/**
 * Ending a running process from outside, as child_process does (options.ts,
 * EndOptions): at `timeout`, or when `signal` aborts, it gets `killSignal`, and SIGKILL
 * `forceKillAfterDelay` ms later if it is still there.
 *
 * A timeout's SIGKILL is the addon's wall-time timer (what limits.wallTimeMs is), armed
 * at the spawn for timeout + delay from the program's release (nativeTimeLimit): it holds
 * while JavaScript is busy, from the first instant, and the status it leaves is a
 * wall-time limit's (reason 'timeout', timedOut). With killSignal SIGKILL that timer is
 * the whole of it. An abort is the caller's, not a limit: the process's wait() and
 * output() reject with an AbortError.
 */
import { abortError, onAbort, type AbortError } from './abort.js';
import type { Instance } from './instance.js';
import type { NormalizedEnd } from './options.js';

const SIGKILL = 9;

interface EndTarget {
  instance: Instance;
  /** Sends the kill signal: to every process of the container (run), or to the process (exec). */
  kill(sig: number): void;
  /** Its wait() and output() reject with this, its 'error' listeners hear it. */
  fail(err: AbortError): void;
}

const delayOf = (o: NormalizedEnd) => (o.killSignal === SIGKILL ? 0 : o.forceKillAfterDelay);

/**
 * The addon's timer for a process about to be released (ms from its release, or undefined:
 * none): its limits.wallTimeMs, or its timeout's SIGKILL if that comes first.
 */
export function nativeTimeLimit(wallTimeMs: number | undefined, o: NormalizedEnd): number | undefined {
  const limits = [wallTimeMs, o.timeout === undefined ? undefined : o.timeout + delayOf(o)].filter((ms): ms is number => ms !== undefined);
  return limits.length ? Math.min(...limits) : undefined;
}

/**
 * Arms the options' killSignal at timeout (the SIGKILL after it is nativeTimeLimit's) and
 * their signal, on a released process; they are disarmed when it exits.
 */
export function endWhen(t: EndTarget, o: NormalizedEnd): void {
  const { instance } = t;
  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
  const delay = delayOf(o);

  if (o.timeout !== undefined && delay > 0) {
    // Its clock is the program's (wallTimeMs's): from its release, which was a moment ago.
    after(Math.max(0, o.timeout - instance.programMs()), () => {
      instance.noteEnd('timeout');
      t.kill(o.killSignal);
    });
  }

  const unlisten = onAbort(o.signal, () => {
    t.fail(abortError(o.signal!));
    t.kill(o.killSignal);
    if (delay > 0) after(delay, () => instance.killAll());
  });

  const disarm = () => {
    unlisten();
    for (const timer of timers) clearTimeout(timer);
  };
  void instance.exited.then(disarm, disarm);
}
