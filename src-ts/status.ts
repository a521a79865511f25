/** Exit statuses: ExitStatus and RunResult (README.md, "API"). */
import * as os from 'node:os';

export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Killed by limits.wallTimeMs. */
  timedOut: boolean;
  /** Killed by the memory limit. */
  oomKilled: boolean;
}

export interface RunResult extends ExitStatus {
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
  /** With RunOptions.outputs: what was read back, by path inside the container. */
  files?: Record<string, Buffer>;
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

export function signalName(n: number): NodeJS.Signals | null {
  return n ? (SIGNAL_NAMES.get(n) ?? null) : null;
}

/** 'SIGTERM' | 15 -> 15; throws TypeError/RangeError as ChildProcess.kill does. */
export function signalNumber(signal: NodeJS.Signals | number | undefined): number {
  if (signal === undefined) return os.constants.signals.SIGTERM;
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) throw new RangeError(`Unknown signal: ${signal}`);
    return signal;
  }
  const n = (os.constants.signals as Record<string, number>)[signal];
  if (n === undefined) throw new TypeError(`Unknown signal: ${signal}`);
  return n;
}
