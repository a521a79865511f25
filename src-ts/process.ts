/**
 * A process running in a container (README.md, "API"): the main process after
 * start(), or one started by exec(). Emits 'exit' with its ExitStatus.
 */
import { EventEmitter } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { AbortError } from './abort.js';
import type { ContainerError } from './errors.js';
import type { Instance } from './instance.js';
import { decodeOutput, validateOutputOptions, type OutputOptions } from './options.js';
import type { StdioSet } from './stdio.js';
import type { ProcessStdio } from './stdio-types.js';
import type { Terminal, TerminalSize } from './terminal.js';
import { signalNumber, type ExitStatus, type RunResult } from './status.js';

/** The events of a Process and what their listeners get. */
export interface ProcessEvents {
  /** It has exited, or was killed: its whole status (unlike ChildProcess's code and signal). */
  exit: [status: ExitStatus];
  /**
   * It could not be started (its execve failed after start()), or the `signal` of its
   * options was aborted (an AbortError). Emitted only to listeners; wait() and output()
   * reject with it too.
   */
  error: [error: ContainerError | AbortError];
}

type Listener<K extends keyof ProcessEvents> = (...args: ProcessEvents[K]) => void;

/** Typed events: 'exit' (status) and 'error' (error), as ProcessEvents says. */
export interface Process<S extends ProcessStdio = ProcessStdio> {
  on<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  once<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  addListener<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  prependListener<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  prependOnceListener<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  off<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  removeListener<K extends keyof ProcessEvents>(event: K, listener: Listener<K>): this;
  emit<K extends keyof ProcessEvents>(event: K, ...args: ProcessEvents[K]): boolean;
}

// net.Socket reads from construction: an empty stream may have ended before anyone
// listened, which finished() (unlike a bare 'end' listener) knows. Past `max` bytes the
// rest is read and dropped (so the stream still ends) and `onOverflow` runs once.
async function collect(stream: Readable | null, max: number, onOverflow: () => void): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream.on('data', (c: Buffer) => {
    if (over) return;
    if (size + c.length > max) {
      chunks.push(c.subarray(0, max - size));
      size = max;
      over = true;
      onOverflow();
      return;
    }
    chunks.push(c);
    size += c.length;
  });
  await finished(stream);
  return Buffer.concat(chunks, size);
}

/**
 * `S`: which of stdin, stdout and stderr are there (stdio-types.ts); create() and exec()
 * give the streams they can tell from stdio and terminal, `Process` alone has each as
 * `T | null`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface above types the events
export class Process<S extends ProcessStdio = ProcessStdio> extends EventEmitter {
  /** Host pid. */
  readonly pid: number;
  /** With stdio[0] 'pipe' (or a terminal); null otherwise. */
  readonly stdin: S['stdin'];
  /** With stdio[1] 'pipe' (or a terminal: what the terminal shows); null otherwise. */
  readonly stdout: S['stdout'];
  /** With stdio[2] 'pipe' (never with a terminal); null otherwise. */
  readonly stderr: S['stderr'];
  /** As ChildProcess.stdio: [stdin, stdout, stderr, ...] with the near ends of extra 'pipe' entries (duplex). */
  readonly stdio: ReadonlyArray<Readable | Writable | Duplex | null>;

  private readonly instance: Instance;
  private readonly targetStage: 'main' | 'init';
  private readonly status: Promise<ExitStatus>;
  private outputPromise?: Promise<RunResult>;
  private lateError?: ContainerError | AbortError;
  private exitStatus?: ExitStatus;
  private readonly terminal: Terminal | null;

  /** @internal */
  constructor(instance: Instance, stdio: StdioSet, opts: { pid: number; targetStage: 'main' | 'init'; terminal?: Terminal | null }) {
    super();
    this.instance = instance;
    this.pid = opts.pid;
    this.targetStage = opts.targetStage;
    this.terminal = opts.terminal ?? null;
    // With a terminal, stdin and stdout are the pty (stderr is merged into it, as on any terminal).
    // What the types promise (S) is what create() and exec() checked the stdio to be.
    this.stdin = (this.terminal ? this.terminal.input : stdio.stdin) as S['stdin'];
    this.stdout = (this.terminal ? this.terminal.output : stdio.stdout) as S['stdout'];
    this.stderr = (this.terminal ? null : stdio.stderr) as S['stderr'];
    this.stdio = [stdio.stdin, stdio.stdout, stdio.stderr, ...stdio.extra];
    this.status = this.statusOrLateError(instance);
    void instance.exited.then((status) => this.onExit(status));
  }

  /**
   * The status, or the failure that kept the program from running (execve after start).
   * Such a failure is also an 'error' event, for whoever listens.
   */
  private statusOrLateError(instance: Instance): Promise<ExitStatus> {
    instance.onLateError((err) => this.fail(err));
    // run() starts the main process at spawn: its execve may have failed (and been
    // reported) before this Process existed to listen.
    if (instance.error) this.lateError ??= instance.error;
    const status = instance.exited.then((s) => {
      if (this.lateError) throw this.lateError;
      return s;
    });
    status.catch(() => {}); // observed through wait() and output()
    return status;
  }

  /**
   * @internal A failure that ends it for the caller (execve failed, or an abort): wait()
   * and output() reject with the first one, and listeners of 'error' hear it.
   */
  fail(err: ContainerError | AbortError): void {
    this.lateError ??= err;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private onExit(status: ExitStatus): void {
    this.exitStatus = status;
    // As ChildProcess does: nobody will read stdin any more. stdout and stderr end by
    // themselves once every process holding them is gone.
    if (!this.terminal) this.stdin?.destroy();
    this.emit('exit', status);
  }

  /** The exit status once known; undefined while it runs. */
  get exitCode(): number | null | undefined {
    return this.exitStatus?.exitCode;
  }

  /** Resolves when the process has exited; rejects if it could not be started (execve failed). */
  wait(): Promise<ExitStatus> {
    return this.status;
  }

  /** Whether the process has a pty (terminal: true). */
  get isTTY(): boolean {
    return this.terminal !== null;
  }

  /** Resizes the pty (terminal: true); the process gets SIGWINCH. False without one, or once it has gone. */
  resize(cols: number, rows: number): boolean {
    if (!this.terminal) return false;
    for (const [name, v] of [['cols', cols], ['rows', rows]] as const)
      if (!Number.isInteger(v) || v < 1 || v > 65535) throw new RangeError(`${name} must be an integer from 1 to 65535, got ${v}`);
    return this.terminal.resize({ cols, rows } satisfies TerminalSize);
  }

  /** Like ChildProcess.kill: true if the signal was sent. */
  kill(signal?: NodeJS.Signals | number): boolean {
    const sig = signalNumber(signal);
    if (this.exitStatus) return false;
    return this.instance.signal(this.targetStage, sig);
  }

  /**
   * Collects stdout and stderr (when piped) until the process has exited and both have
   * ended: Buffers, or strings with an `encoding`. The first call's maxBuffer holds.
   */
  output(options: OutputOptions & { encoding: BufferEncoding }): Promise<RunResult<string>>;
  output(options?: OutputOptions & { encoding?: 'buffer' | null }): Promise<RunResult>;
  output(options?: OutputOptions): Promise<RunResult<string | Buffer>>;
  async output(options?: OutputOptions): Promise<RunResult<string | Buffer>> {
    const { maxBuffer, encoding } = validateOutputOptions(options);
    return decodeOutput(await this.collectOutput(maxBuffer), encoding);
  }

  private collectOutput(max: number): Promise<RunResult> {
    this.outputPromise ??= (async () => {
      let truncated = false;
      const overflow = () => {
        truncated = true;
        this.instance.endWith('output');
      };
      const [stdout, stderr, status] = await Promise.all([collect(this.stdout, max, overflow), collect(this.stderr, max, overflow), this.wait()]);
      // It may have exited before its output was read: what was cut is still why.
      const reason = truncated && (status.reason === 'exit' || status.reason === 'signal') ? 'output' : status.reason;
      return { ...status, reason, stdout, stderr, durationMs: status.stats.wallMs };
    })();
    return this.outputPromise;
  }
}
