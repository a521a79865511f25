/**
 * One run of the nsjail-ts-init binary: stage 0 (spawned), stage 1 and stage 2 (children
 * of ours through CLONE_PARENT), and with `init: true` the main process (stage 2's
 * child). Turns the addon's events into promises: ready, the main process's exit,
 * everything reaped.
 */
import { ContainerError, describeErrno, type Stage } from './errors.js';
import { listen, unlisten } from './events.js';
import { HeldFds } from './held-fds.js';
import { diagnose, explainNotice } from './hints.js';
import { native, StageId, type NativeEvent } from './native.js';
import { parseStageLog, type Profile } from './profile.js';
import { buildStatus, signalName, type ExitStatus, type LimitReason, type Usage } from './status.js';

const ENOENT = 2;
const ESRCH = 3;
const SIGKILL = 9;

const NOTICE = 'notice: ';
const warned = new Set<string>();
/** A process warning (`process.on('warning')`, printed by Node), once per text per process. */
function warnOnce(text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  process.emitWarning(text, { code: 'NSJAIL_TS_NOTICE' });
}

type Pids = { parent?: number; child?: number; init?: number; main?: number };

function deferred<T>() {
  let resolve!: (v: T | PromiseLike<T>) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection here
  return { promise, resolve, reject };
}

export class Instance {
  readonly handle: number;
  readonly pids: Pids;
  /** Settles when setup is done (MSG_READY) or has failed. */
  readonly ready: Promise<void>;
  /** The main process's status. */
  readonly exited: Promise<ExitStatus>;
  /** Every stage has been reaped and the native handle released. */
  readonly done: Promise<void>;
  /** The first failure any stage reported. */
  error?: ContainerError;
  /** The limit that ended it, the first one: the reactor's (timeout, cpu-time, oom) or JS's (output). */
  endedBy?: LimitReason;
  /**
   * With cgroup limits, once released: the reactor removed the container's cgroups but
   * these (still busy); undefined if it removed none.
   */
  cgroupDirsLeft?: string[];
  /** Completes the main process's status with what only the container knows (its cgroup); set by Container. */
  completeStatus?: (status: ExitStatus) => Promise<ExitStatus>;
  startedAt?: bigint;
  /** When setup was done (for a run released at once, when the program was released). */
  readyAt?: bigint;
  exitedAt?: bigint;

  private readonly readyD = deferred<void>();
  private readonly exitD = deferred<ExitStatus>();
  private readonly doneD = deferred<void>();
  private readonly initGoneD = deferred<Record<string, string> | undefined>();
  /**
   * Stage 2 has been reaped (its pid namespace is then empty), or never existed; with
   * cgroup limits, the text of their statistics files the reactor read at that moment.
   */
  readonly initGone = this.initGoneD.promise;
  private isReady = false;
  private mainStatus?: ExitStatus;
  private readonly reaped = new Set<string>();
  private released = false;
  /** init: true: stage 2 stays as the reaper, and reports the main process's status. */
  private readonly hasReaper: boolean;
  private readonly errorListeners: Array<(e: ContainerError) => void> = [];
  private readonly debug: boolean;
  private readonly spawnedAt = process.hrtime.bigint();
  /** The nsjail-ts-init binary, named when it cannot be started. */
  private readonly initPath: string;
  /** The namespaces the reactor holds for this container (/proc/<pid>/ns names, in fd order). */
  heldNamespaces: string[] = [];
  /**
   * With CAP_SYS_ADMIN kept: the nested user and mount namespaces that lock its mounts
   * (src-native/setup/mount_lock.h), held after the others.
   */
  lockedNamespaces: string[] = [];
  /** For file access until destroy() (held-fds.ts). */
  readonly held = new HeldFds();
  /** terminal: the pty master the main process's side sent; whoever takes it owns it. */
  private ptyFd?: number;

  /** RunOptions.profile: every event and stage log line is noted here (a pooled container's: from its start). */
  profile?: Profile;

  constructor(handle: number, opts: { reaper: boolean; debug: boolean; initPath: string; profile?: Profile }) {
    this.handle = handle;
    this.profile = opts.profile;
    this.pids = {};
    this.initPath = opts.initPath;
    this.hasReaper = opts.reaper;
    this.debug = opts.debug;
    this.ready = this.readyD.promise;
    this.exited = this.exitD.promise;
    this.done = this.doneD.promise;
    listen(this.handle, (ev) => this.onEvent(ev));
  }

  /** A failure after setup (e.g. execve at start) goes to these. */
  onLateError(fn: (e: ContainerError) => void): void {
    this.errorListeners.push(fn);
  }

  private fail(err: ContainerError): void {
    if (this.error) return;
    this.error = err;
    if (!this.isReady) this.readyD.reject(err);
    else for (const fn of this.errorListeners) fn(err);
    // Whatever else is still running of this instance has no future.
    this.killAll();
  }

  private onEvent(ev: NativeEvent): void {
    if (this.profile) this.noteEvent(ev, this.profile);
    switch (ev.type) {
      case 'spawned':
        return this.onSpawned(ev.pid);
      case 'spawnFailed':
        return this.onSpawnFailed(ev);
      case 'hello':
        return this.onHello(ev);
      case 'pids':
        return this.onPids(ev);
      case 'error':
      case 'protocolError':
        return this.onError(ev);
      case 'ready':
        return this.onReady();
      case 'exit':
        return this.setMainStatus(this.status(ev.code, ev.signal, ev));
      case 'timeout':
        this.endedBy ??= 'timeout';
        return;
      case 'limit':
        this.endedBy ??= ev.reason;
        return;
      case 'log':
        return this.onLog(ev);
      case 'reaped':
        return this.onReaped(ev);
      case 'pty':
        return this.onPty(ev.fd);
      case 'nsfds':
        return this.onNsfds(ev);
      case 'released':
        return this.onReleased(ev);
    }
  }

  private noteEvent(ev: NativeEvent, profile: Profile): void {
    if (ev.type === 'log') return profile.markLog(this.stageOf(ev), ev.message);
    if (ev.began !== undefined) profile.mark('spawn began', 'addon', ev.began);
    profile.mark(`${ev.type}${ev.stage && ev.stage !== 'parent' ? ` (${ev.stage})` : ''}`, 'addon', ev.at);
    profile.mark(`got ${ev.type}`);
  }

  private onSpawned(pid: number): void {
    this.pids.parent = pid;
  }

  private onSpawnFailed(ev: Extract<NativeEvent, { type: 'spawnFailed' }>): void {
    if (ev.errno === ESRCH) {
      // A join (exec) of a container that stopped meanwhile (see joins.ts).
      this.fail(new ContainerError(`the container has stopped`, { code: 'ERR_CONTAINER_STOPPED' }));
    } else {
      this.fail(
        new ContainerError(`cannot start the init program: ${ev.message ?? describeErrno(ev.errno).code}`, {
          code: ev.errno === ENOENT ? 'ENOENT' : 'ERR_CONTAINER_SPAWN',
          errno: -ev.errno,
          syscall: ev.syscall,
          path: this.initPath,
        }),
      );
    }
    this.finish(); // nothing was started, so nothing will be reaped
  }

  private onHello(ev: Extract<NativeEvent, { type: 'hello' }>): void {
    this.pids[ev.stage] = ev.pid;
  }

  /** Stage 0 relays the pids of stages 1 and 2 (which may not have said hello yet). */
  private onPids(ev: Extract<NativeEvent, { type: 'pids' }>): void {
    this.pids.child ??= ev.pidFirst;
    this.pids.init ??= ev.pid;
  }

  private onError(ev: Extract<NativeEvent, { type: 'error' | 'protocolError' }>): void {
    const rec = { errno: ev.errno, syscall: ev.syscall, stage: this.stageOf(ev), path: ev.path, detail: ev.message };
    this.fail(ContainerError.fromRecord({ ...rec, hint: diagnose(rec) }));
  }

  private onReady(): void {
    this.readyAt = process.hrtime.bigint();
    if (this.error) return;
    this.isReady = true;
    this.readyD.resolve();
  }

  /**
   * NSJAIL_TS_DEBUG: "@<monotonic µs> text", shown as milliseconds since this instance was spawned.
   * "notice: text" (any log level): something the configuration implied was left out.
   */
  private onLog(ev: Extract<NativeEvent, { type: 'log' }>): void {
    if (ev.message.startsWith(NOTICE)) warnOnce(explainNotice(ev.message.slice(NOTICE.length)));
    if (!this.debug) return;
    const line = parseStageLog(ev.message);
    const at = line ? `+${(Number(line.us * 1000n - this.spawnedAt) / 1e6).toFixed(2)}ms ` : '';
    process.stderr.write(`nsjail-ts ${this.handle} [${this.stageOf(ev)}] ${at}${line ? line.text : ev.message}\n`);
  }

  /** terminal: the pty master the main process sent; a second one, or one after a failure, is closed. */
  private onPty(fd: number): void {
    if (this.ptyFd === undefined && !this.error) this.ptyFd = fd;
    else native.close(fd);
  }

  private onNsfds(ev: Extract<NativeEvent, { type: 'nsfds' }>): void {
    this.held.take(ev);
    if (ev.scope === 2) return; // the overlays' upper layers
    const types = ev.types.split(',').filter(Boolean);
    if (ev.locked) this.lockedNamespaces = types;
    else this.heldNamespaces = types;
  }

  private onReleased(ev: Extract<NativeEvent, { type: 'released' }>): void {
    this.cgroupDirsLeft = ev.cgroupDirsLeft;
    unlisten(this.handle);
    this.doneD.resolve();
  }

  private status(code: number | null, signal: number, usage?: Usage): ExitStatus {
    this.exitedAt ??= process.hrtime.bigint();
    return buildStatus({ code, signal, endedBy: this.endedBy, usage, wallMs: this.programMs() });
  }

  /**
   * The program's wall time so far (or until it exited): from start() for a created
   * container; for one released at once (run, exec), from when setup was done.
   */
  programMs(): number {
    const { startedAt, readyAt } = this;
    const from = startedAt && readyAt && readyAt > startedAt ? readyAt : startedAt;
    return from ? Number((this.exitedAt ?? process.hrtime.bigint()) - from) / 1e6 : 0;
  }

  /** The stage a report names (the init program says 'main' from the main process's own steps on). */
  private stageOf(ev: { stage: string }): Stage {
    return ev.stage as Stage;
  }

  private onReaped(ev: Extract<NativeEvent, { type: 'reaped' }>): void {
    const { stage, code, signal } = ev;
    this.reaped.add(stage);
    if (!this.isReady && !this.error) {
      // A stage that failed says why before exiting; this is for those that could not.
      const how = signal ? `was killed by ${signalName(signal) ?? signal}` : `exited with status ${code}`;
      if (code !== 0 || signal || stage === 'init')
        this.fail(new ContainerError(`stage ${stage} ${how} before the container was ready`, { code: 'ERR_CONTAINER_SETUP', stage }));
    }
    if (stage === 'init') {
      // Without init the main process is stage 2 itself; with it, the reaper reports the
      // main process's status first, and if it could not (SIGKILL), this is the best we know.
      if (!this.hasReaper || !this.mainStatus) this.setMainStatus(this.status(code, signal, ev));
      // Nothing of the pid namespace outlives its PID 1; stages 0 and 1 are done or dying.
      this.initGoneD.resolve(ev.cgroupFiles);
    }
    if (this.allReaped()) this.finish();
  }

  private allReaped(): boolean {
    // Stages 1 and 2 may never have announced themselves if setup failed early.
    const expected: string[] = [];
    if (this.pids.parent) expected.push('parent');
    if (this.pids.child) expected.push('child');
    if (this.pids.init) expected.push('init');
    return expected.every((s) => this.reaped.has(s));
  }

  private setMainStatus(status: ExitStatus): void {
    if (this.mainStatus) return;
    this.mainStatus = status;
    const complete = this.completeStatus;
    this.exitD.resolve(complete ? complete(status).catch(() => status) : status);
  }

  private finish(): void {
    if (!this.mainStatus) this.setMainStatus(this.status(null, SIGKILL));
    this.initGoneD.resolve(undefined);
    this.release(); // `done` resolves when the addon says every fd of it is closed
  }

  /** Hands the pty master over (once); until then the instance owns and closes it. */
  takePty(): number | undefined {
    const fd = this.ptyFd;
    this.ptyFd = undefined;
    return fd;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    if (this.ptyFd !== undefined) native.close(this.takePty()!);
    native.release(this.handle);
  }

  get isDone(): boolean {
    return this.released;
  }

  /** `spec`: what a pooled container runs (BootFlag.ArgsAtStart). */
  start(spec?: { args: string[]; env: string[]; cwd: string }): void {
    this.startedAt = process.hrtime.bigint();
    if (!this.released) native.start(this.handle, spec);
  }

  /** Whether it keeps the event loop alive (a pooled container waiting to be handed out does not). */
  setRef(on: boolean): void {
    if (!this.released) native.setRef(this.handle, on);
  }

  /** Signals one process; false if it is gone. */
  signal(stage: keyof typeof StageId, sig: number): boolean {
    if (this.released) return false;
    return native.signal(this.handle, StageId[stage], sig) === 0;
  }

  /** Asks the reaper (init: true) to signal every process of the container. */
  signalAllViaReaper(sig: number): void {
    if (!this.released) native.signalAll(this.handle, sig, 1);
  }

  /** `atReady`: the clock starts when setup is done (a run released at once). */
  setWallTime(ms: number, atReady = false): void {
    if (!this.released) native.setWallTime(this.handle, ms, atReady);
  }

  /** SIGKILL to every process, and with a cgroup its cgroup.kill. */
  killAll(): void {
    if (!this.released) native.killAll(this.handle);
  }

  /** A limit JS enforces (output) ends everything; the status then names it. */
  endWith(reason: LimitReason): void {
    this.noteEnd(reason);
    this.killAll();
  }

  /** What is ending it now is `reason` (a timeout's kill signal): the status will name it, if it is the first. */
  noteEnd(reason: LimitReason): void {
    this.endedBy ??= reason;
  }

  /** SIGKILL everything, then wait until every stage is reaped and the handle released. */
  async destroy(): Promise<void> {
    this.killAll();
    await this.done;
    await this.held.close();
  }
}
