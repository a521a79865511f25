/**
 * The options of Container.create(), Container.run(), exec() and Process.output()
 * (README.md, "API"), and their validation: child_process's conventions (timeout,
 * signal, killSignal, encoding), unknown keys and wrong types a ConfigError naming the
 * key, as for configuration fields. (exec()'s process fields are config.ts's.)
 */
import { randomBytes } from 'node:crypto';
import { ConfigError } from './errors.js';
import { describe, isPlainObject, keysOf, optionsObject } from './config-values.js';
import { validateOutputs } from './config-files.js';
import { signalNumber, type RunResult } from './status.js';

/** As child_process's `encoding`: 'buffer' (or null) for Buffers, any Buffer encoding for strings. */
export type Encoding = BufferEncoding | 'buffer' | null;

/** How a process is ended from outside, as child_process ends a child. */
export interface EndOptions {
  /**
   * Milliseconds the program may run (from when it is released, as limits.wallTimeMs);
   * then it gets `killSignal`, and SIGKILL `forceKillAfterDelay` ms later if it has not
   * ended. Its status then says reason 'timeout', timedOut true. 0 or undefined: none.
   */
  timeout?: number;
  /**
   * Aborting it ends the process (with `killSignal`, then SIGKILL as for `timeout`), and
   * the call rejects with an AbortError (name 'AbortError', code 'ABORT_ERR', `cause` the
   * signal's reason). Already aborted: it rejects at once and nothing is started. During
   * setup (until the call has heard that setup is done): setup stops, with SIGKILL.
   */
  signal?: AbortSignal;
  /** What `timeout` and `signal` send first; default 'SIGTERM'. */
  killSignal?: NodeJS.Signals | number;
  /** Milliseconds between `killSignal` and SIGKILL; default 5000. (SIGKILL as killSignal: none.) */
  forceKillAfterDelay?: number;
}

export interface CreateOptions {
  /** [A-Za-z0-9_.-], 1 to 64 characters; default a random 12-hex-digit id. */
  id?: string;
  /** Aborting it during create() rejects with an AbortError, and nothing of the container is left. */
  signal?: AbortSignal;
}

export interface RunOptions extends CreateOptions, EndOptions {
  /** Written to the main process's stdin (which is then closed). */
  input?: string | Uint8Array;
  /**
   * Bytes kept of stdout and of stderr (each); past it the container is ended, the output
   * so far returned and `reason` is 'output'. Default 16 MiB; Infinity for no cap.
   */
  maxBuffer?: number;
  /**
   * Files and folders to read back once the program has ended, into `result.files` (keyed
   * by path; a folder's files under their own paths). What is missing is left out.
   */
  outputs?: string[];
  /** stdout and stderr as strings in this encoding; default 'buffer' (Buffers). */
  encoding?: Encoding;
  /**
   * A debugging aid: `result.profile` lists, on one clock, where the start and end spent
   * their time (JS, the addon's thread, every stage and mount). Adds a little time itself.
   */
  profile?: boolean;
}

export interface OutputOptions {
  /**
   * Bytes kept per stream; past it the process (for the main process: the whole
   * container) is ended, the output so far returned and the reason is 'output'.
   * Default Infinity here; Container.run's default is DEFAULT_MAX_BUFFER.
   */
  maxBuffer?: number;
  /** stdout and stderr as strings in this encoding; default 'buffer' (Buffers). */
  encoding?: Encoding;
}

export interface NormalizedEnd {
  /** ms, or undefined: none. */
  timeout?: number;
  signal?: AbortSignal;
  killSignal: number;
  forceKillAfterDelay: number;
}

/** Container.run's default maxBuffer per stream: 16 MiB (child_process.exec keeps 1 MiB). */
const DEFAULT_MAX_BUFFER = 16 << 20;
/** execa's default: long enough for a program to clean up after SIGTERM, short enough to wait for. */
export const DEFAULT_FORCE_KILL_AFTER_MS = 5000;
/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The keys of EndOptions, for the option lists of run() and exec() (keysOf). */
export const END_OPTION_KEYS = { timeout: true, signal: true, killSignal: true, forceKillAfterDelay: true } as const satisfies Record<keyof EndOptions, true>;
const CREATE_OPTION_KEYS = keysOf<CreateOptions>({ id: true, signal: true });
/** What run() and pool.run() share (not `id`). */
export const RUN_LIKE_KEYS = { ...END_OPTION_KEYS, input: true, maxBuffer: true, outputs: true, encoding: true, profile: true } as const;
const RUN_OPTION_KEYS = keysOf<RunOptions>({ id: true, ...RUN_LIKE_KEYS });
const OUTPUT_OPTION_KEYS = keysOf<OutputOptions>({ maxBuffer: true, encoding: true });

function validateMaxBuffer(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (v !== Infinity && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1))
    throw new ConfigError('options.maxBuffer', `must be a positive integer number of bytes or Infinity, got ${describe(v)}`);
  return v;
}

// Random ids come from a batch: one call into crypto per 256 containers, not per one.
let idPool = Buffer.alloc(0);
let idAt = 0;
/** A new container id: 12 random hex digits. */
export function randomId(): string {
  if (idAt + 6 > idPool.length) {
    idPool = randomBytes(6 * 256);
    idAt = 0;
  }
  idAt += 6;
  return idPool.toString('hex', idAt - 6, idAt);
}

function validateId(id: unknown): string {
  if (id === undefined) return randomId();
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id))
    throw new ConfigError('id', 'must be 1 to 64 characters of [A-Za-z0-9_.-]');
  return id;
}

/** An AbortSignal (or anything shaped like one, as child_process accepts). */
function validateSignal(v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  const s = isPlainObject(v) ? (v as Partial<AbortSignal>) : undefined;
  if (typeof s?.aborted !== 'boolean' || typeof s.addEventListener !== 'function')
    throw new ConfigError('options.signal', `must be an AbortSignal, got ${describe(v)}`);
  return v as AbortSignal;
}

/** Milliseconds for a timer: 0 to 2^31-1, rounded up. */
function timerMs(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_TIMER_MS)
    throw new ConfigError(field, `must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${describe(v)}`);
  return Math.ceil(v);
}

function validateKillSignal(v: unknown): number {
  if (v === undefined) return signalNumber('SIGTERM');
  if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError('options.killSignal', `must be a signal name or number, got ${describe(v)}`);
  let n: number;
  try {
    n = signalNumber(v as NodeJS.Signals | number);
  } catch {
    throw new ConfigError('options.killSignal', `is not a signal: ${describe(v)}`);
  }
  if (n === 0) throw new ConfigError('options.killSignal', 'must be a signal that ends a process, not 0');
  return n;
}

export function validateEndOptions(o: Record<string, unknown>): NormalizedEnd {
  const timeout = o.timeout === undefined ? 0 : timerMs(o.timeout, 'options.timeout');
  return {
    timeout: timeout || undefined,
    signal: validateSignal(o.signal),
    killSignal: validateKillSignal(o.killSignal),
    forceKillAfterDelay: o.forceKillAfterDelay === undefined ? DEFAULT_FORCE_KILL_AFTER_MS : timerMs(o.forceKillAfterDelay, 'options.forceKillAfterDelay'),
  };
}

function validateEncoding(v: unknown): BufferEncoding | 'buffer' {
  if (v === undefined || v === null || v === 'buffer') return 'buffer';
  if (typeof v !== 'string' || !Buffer.isEncoding(v))
    throw new ConfigError('options.encoding', `must be 'buffer' or a Buffer encoding such as 'utf8', got ${describe(v)}`);
  return v;
}

/** A result's stdout and stderr as they are, or as text in `encoding`. */
export function decodeOutput(r: RunResult, encoding: BufferEncoding | 'buffer'): RunResult<string | Buffer> {
  return encoding === 'buffer' ? r : { ...r, stdout: r.stdout.toString(encoding), stderr: r.stderr.toString(encoding) };
}

export function validateCreateOptions(v: unknown): { id: string; signal?: AbortSignal } {
  const o = optionsObject(v, CREATE_OPTION_KEYS, 'a create option');
  return { id: validateId(o.id), signal: validateSignal(o.signal) };
}

/** run()'s and pool.run()'s options but `id`, checked. */
export interface NormalizedRunLike {
  input?: string | Uint8Array;
  maxBuffer: number;
  outputs: string[];
  encoding: BufferEncoding | 'buffer';
  end: NormalizedEnd;
  profile: boolean;
}

interface NormalizedRun extends NormalizedRunLike {
  id: string;
}

/** The run-like keys of an options object (optionsObject has checked there are no others). */
export function validateRunLike(o: Record<string, unknown>): NormalizedRunLike {
  if (o.input !== undefined && typeof o.input !== 'string' && !(o.input instanceof Uint8Array))
    throw new ConfigError('options.input', `must be a string or a Buffer, got ${describe(o.input)}`);
  if (o.profile !== undefined && typeof o.profile !== 'boolean') throw new ConfigError('options.profile', `must be a boolean, got ${describe(o.profile)}`);
  return {
    input: o.input as string | Uint8Array | undefined,
    maxBuffer: validateMaxBuffer(o.maxBuffer, DEFAULT_MAX_BUFFER),
    outputs: validateOutputs(o.outputs),
    encoding: validateEncoding(o.encoding),
    end: validateEndOptions(o),
    profile: o.profile === true,
  };
}

export function validateRunOptions(v: unknown): NormalizedRun {
  const o = optionsObject(v, RUN_OPTION_KEYS, 'a run option');
  return { id: validateId(o.id), ...validateRunLike(o) };
}

export function validateOutputOptions(v: unknown): { maxBuffer: number; encoding: BufferEncoding | 'buffer' } {
  const o = optionsObject(v, OUTPUT_OPTION_KEYS, 'an output option');
  return { maxBuffer: validateMaxBuffer(o.maxBuffer, Infinity), encoding: validateEncoding(o.encoding) };
}
