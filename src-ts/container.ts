/**
 * Container (README.md, "API" and "Lifecycle"): create sets everything up and leaves
 * the main process waiting at the start barrier (runc create); start releases it (runc
 * start); destroy kills and reaps everything. run = create + start + output + destroy.
 */
import * as net from 'node:net';
import { buildBootstrap, buildExecBootstrap, buildSignalAllBootstrap, type NsPathOf } from './bootstrap.js';
import { normalizeConfig, normalizeExec, type ContainerConfig, type ExecOptions, type NormalizedConfig } from './config.js';
import { ContainerFiles, outputsFromReaper } from './container-files.js';
import { fixturesMemfd } from './fixtures.js';
import { prepareUpperDirs, type Change } from './overlays.js';
import { ContainerError } from './errors.js';
import { ensureReactor } from './events.js';
import { Instance } from './instance.js';
import { heldPath, joinOwnContainers, nestedPaths, registerLive } from './joins.js';
import { Namespaces } from './namespaces.js';
import { BootFlag, initPath, native, type BootstrapSpec, type CgroupWatchPaths } from './native.js';
import { Process } from './process.js';
import { abortError, onAbort, throwIfAborted } from './abort.js';
import { endWhen, nativeTimeLimit } from './ending.js';
import { randomId, validateCreateOptions, validateRunOptions, type CreateOptions, type NormalizedEnd, type RunOptions } from './options.js';
import type { ProcessStdio, StdioEntry, StdioMode, StdioStreams, TerminalOption, TerminalStdio, WithStdio } from './stdio-types.js';
import { createContainerCgroup } from './cgroups/limits.js';
import type { ContainerCgroup } from './cgroups/container-cgroup.js';
import { cgroupCompleter, liveStats, type LiveStats } from './cgroups/stats.js';
import { openStdio, type StdioSet } from './stdio.js';
import { signalNumber, type ExitStatus, type RunResult } from './status.js';
import { inTurn } from './spawn-queue.js';
import { Terminal } from './terminal.js';
import { Profile } from './profile.js';
import { ContainerPool, type PoolConfig, type PoolOptions, type PooledStart, type RunToEnd } from './pool.js';

export type { CreateOptions, RunOptions };

/** NSJAIL_TS_DEBUG: 1 (or true, yes) for the stages' steps; 2 for every mount too. */
const debugLevel = /^(1|true|yes)$/i.test(process.env.NSJAIL_TS_DEBUG ?? '') ? 1 : process.env.NSJAIL_TS_DEBUG === '2' ? 2 : 0;
const debug = debugLevel > 0;

/** How createInternal makes a container (besides its config). */
interface CreateHow {
  id: string;
  /** Aborting it before create resolves ends the setup (AbortError once nothing is left). */
  signal?: AbortSignal;
  /** A run: released as soon as setup is done; see createInternal. */
  run?: { outputs: string[]; end: NormalizedEnd; profile?: Profile; noStdin?: boolean };
  /** Made by a pool: the start brings args, env and cwd (BootFlag.ArgsAtStart). */
  pooled?: boolean;
}

/** stdio 'pipe' for stdin, stdout and stderr, as a terminal needs. */
type PipedForTerminal = 'pipe' | readonly ['pipe', 'pipe', 'pipe', ...StdioEntry[]];

/**
 * Starts stage 0 (the nsjail-ts-init binary) for a bootstrap, with its stdio. `reaper`:
 * init: true. `owned`: the fixtures' memfd, the far end of the outputs socket, and fds
 * among the stdio entries, which are the addon's from here on. `cgroup`: what the reactor
 * holds of the container's cgroups (src-ts/cgroups/).
 */
function spawnInstance(
  spec: BootstrapSpec,
  stdioEntries: NormalizedConfig['stdio'],
  reaper: boolean,
  join?: number,
  owned: { filesFd?: number; outputsFd?: number; fds?: number[] } = {},
  cgroup?: CgroupWatchPaths,
  profile?: Profile,
): { instance: Instance; stdio: StdioSet } {
  const { filesFd, outputsFd } = owned;
  const ownedFds = [filesFd, outputsFd, ...(owned.fds ?? [])].filter((fd): fd is number => fd !== undefined);
  let stdio: StdioSet | undefined;
  try {
    const bootstrap = native.encodeBootstrap(spec);
    profile?.mark('bootstrap encoded');
    ensureReactor();
    // With a terminal, the pty becomes 0, 1 and 2 inside; until then they are /dev/null.
    const terminal = (spec.flags & BootFlag.Terminal) !== 0;
    stdio = openStdio(terminal ? ['ignore', 'ignore', 'ignore', ...stdioEntries.slice(3)] : stdioEntries);
    const transfer = [...stdio.transferFarEnds(), ...ownedFds];
    const leaf = (spec.flags & BootFlag.Files) !== 0;
    const handle = native.spawn({ initPath, bootstrap, stdio: stdio.childFds, extraFds: stdio.extraFds, filesFd, outputsFd, transfer, join, cgroup, leaf });
    profile?.mark('spawn queued');
    return { instance: new Instance(handle, { reaper, debug, initPath, profile }), stdio };
  } catch (e) {
    // Nothing was queued: the addon took none of them.
    stdio?.destroy();
    for (const fd of ownedFds) native.close(fd);
    throw e;
  }
}

/** The file agent's process (container-files.ts), ready. */
async function spawnAgent(spec: BootstrapSpec, entries: NormalizedConfig['stdio'], fds: number[]): Promise<{ instance: Instance; stdio: StdioSet }> {
  const { instance, stdio } = await inTurn(() => spawnInstance(spec, entries, false, undefined, { fds }));
  await readyOrCleanUp(instance, stdio, false);
  return { instance, stdio };
}

/**
 * Waits for setup, and takes the terminal when there is one; if anything failed,
 * nothing of the instance is left when this rejects.
 */
async function readyOrCleanUp(instance: Instance, stdio: StdioSet, wantTerminal: boolean): Promise<Terminal | null> {
  try {
    await instance.ready;
    if (!wantTerminal) return null;
    const fd = instance.takePty();
    if (fd === undefined) throw new ContainerError('the container did not send its terminal', { code: 'ERR_CONTAINER_TERMINAL' });
    return new Terminal(fd);
  } catch (e) {
    await instance.destroy();
    stdio.destroy();
    throw e;
  }
}

/**
 * readyOrCleanUp, and while it waits an abort of `signal` kills the instance (so it
 * fails, with an AbortError).
 */
async function untilReady(instance: Instance, stdio: StdioSet, wantTerminal: boolean, signal: AbortSignal | undefined): Promise<Terminal | null> {
  const unlisten = onAbort(signal, () => instance.killAll());
  try {
    return await readyOrCleanUp(instance, stdio, wantTerminal);
  } catch (e) {
    throw signal?.aborted ? abortError(signal) : e;
  } finally {
    unlisten();
  }
}

/**
 * `S`: which streams the main process has (stdio-types.ts), as create() could tell from
 * the config's stdio and terminal.
 */
export class Container<S extends ProcessStdio = ProcessStdio> {
  readonly id: string;
  /** Host pid of the container's init (stage 2). */
  readonly pid: number;

  private readonly config: NormalizedConfig;
  private readonly spec: BootstrapSpec;
  private readonly instance: Instance;
  /** Processes started by exec() that have not ended. */
  private readonly execs = new Set<Instance>();
  /** The stdio (and terminals) of the main and every exec'd process: destroy() frees them all. */
  private readonly stdioSets: StdioSet[] = [];
  private readonly terminals: Terminal[] = [];
  private readonly terminal: Terminal | null;
  private readonly stdio: StdioSet;
  private readonly mainPid: number;
  private process?: Process<S>;
  private destroying?: Promise<void>;
  private stopped = false;
  /** With cgroup limits: the container's cgroups (src-ts/cgroups/). */
  private readonly cgroup?: ContainerCgroup;
  /** readFile, writeFile, copyIn, copyOut, changes (container-files.ts). */
  private readonly fileAccess: ContainerFiles;
  /** Removes the overlays' work dirs on the host (overlays.ts). */
  private readonly removeWorkDirs: () => Promise<void>;
  /** A run's outputs as the reaper sends them (undefined: it could not). */
  private outputsFromReaper?: Promise<Record<string, Buffer> | undefined>;
  /** Made by a pool: its start brings what it runs (pool.run). */
  private pooled = false;

  private constructor(
    id: string,
    config: NormalizedConfig,
    spec: BootstrapSpec,
    instance: Instance,
    stdio: StdioSet,
    terminal: Terminal | null,
    removeWorkDirs: () => Promise<void>,
    cgroup?: ContainerCgroup,
  ) {
    this.id = id;
    this.cgroup = cgroup;
    this.fileAccess = new ContainerFiles(id, config, spec, instance.held, spawnAgent, debug ? 1 : 0);
    this.removeWorkDirs = removeWorkDirs;
    this.config = config;
    this.spec = spec;
    this.instance = instance;
    this.stdio = stdio;
    this.stdioSets.push(stdio);
    this.terminal = terminal;
    if (terminal) this.terminals.push(terminal);
    this.pid = instance.pids.init!;
    registerLive(this.pid, instance);
    this.mainPid = config.init ? instance.pids.main! : this.pid;
    void instance.exited.then(() => {
      this.stopped = true;
    });
  }

  /**
   * Sets up namespaces, mounts and limits; the main process waits at the start barrier.
   * The overloads type the main process's streams from stdio and terminal: with the
   * default 'pipe', `c.start().stdout` is a Readable.
   */
  static create<M extends StdioMode = 'pipe'>(
    config: WithStdio<ContainerConfig, { stdio?: M; terminal?: false }>,
    options?: CreateOptions,
  ): Promise<Container<StdioStreams<M, M, M>>>;
  static create(
    config: WithStdio<ContainerConfig, { stdio?: PipedForTerminal; terminal: true | TerminalOption }>,
    options?: CreateOptions,
  ): Promise<Container<TerminalStdio>>;
  static create<I extends StdioEntry, O extends StdioEntry, E extends StdioEntry>(
    config: WithStdio<ContainerConfig, { stdio: readonly [I, O, E, ...StdioEntry[]]; terminal?: false }>,
    options?: CreateOptions,
  ): Promise<Container<StdioStreams<I, O, E>>>;
  static create(config: ContainerConfig, options?: CreateOptions): Promise<Container>;
  static async create(config: ContainerConfig, options?: CreateOptions): Promise<Container> {
    const o = validateCreateOptions(options);
    return Container.createInternal(config, { id: o.id, signal: o.signal });
  }

  /**
   * `signal`: aborting it before this resolves ends the setup, and this rejects with an
   * AbortError once nothing is left. `run`: the program is released as soon as setup is
   * done; the reaper sends its `outputs` (with init) once it has ended, and its `end`
   * options' timeout is armed natively from that moment (ending.ts).
   */
  private static async createInternal(config: ContainerConfig, how: CreateHow): Promise<Container> {
    const { id, signal, run, pooled = false } = how;
    const startNow = run !== undefined;
    const outputs = run?.outputs ?? [];
    const profile = run?.profile;
    // Validating and planning is synchronous work too: sixty-four create() calls in one
    // tick do it one per turn of the event loop, not all at once (spawn-queue.ts).
    await inTurn(() => {});
    let norm = normalizeConfig(config);
    if (run?.noStdin) norm = { ...norm, stdio: ['ignore', ...norm.stdio.slice(1)] };
    profile?.mark('config normalized');
    throwIfAborted(signal);
    const extraFds = norm.stdio.length - 3;
    // Joins of our own containers' namespaces go through the fds the addon holds for them.
    const { namespaces: joined, join } = joinOwnContainers(norm.namespaces, extraFds);
    // Made before any process, entered by stage 0: every process is inside from its start.
    const cgroup = (await createContainerCgroup(norm.limits)) ?? undefined;
    let removeWorkDirs = async (): Promise<void> => {};
    let outputsNear: net.Socket | undefined;
    let c: Container;
    const unhanded: number[] = []; // ours to close until spawnInstance has them
    try {
      throwIfAborted(signal);
      const spec = buildBootstrap({ ...norm, namespaces: joined }, { startNow, extraFds, logLevel: profile ? 2 : debugLevel, cgroup: cgroup?.bootstrap, argsAtStart: pooled });
      profile?.mark('bootstrap built');
      removeWorkDirs = await prepareUpperDirs(norm);
      const filesFd = await fixturesMemfd(norm.files);
      if (filesFd !== undefined) unhanded.push(filesFd);
      let outputsFd: number | undefined;
      if (outputs.length && norm.init) {
        const [near, far] = native.socketpair();
        unhanded.push(far);
        outputsFd = far;
        outputsNear = new net.Socket({ fd: near, readable: true, writable: false });
        spec.outputs = outputs;
      }
      const { instance, stdio } = await inTurn(() => {
        throwIfAborted(signal);
        unhanded.length = 0; // spawnInstance's from here, whatever happens
        return spawnInstance(spec, norm.stdio, norm.init, join, { filesFd, outputsFd }, cgroup?.watch, profile);
      });
      if (cgroup) instance.completeStatus = cgroupCompleter(cgroup, instance.initGone);
      const fromReaper = outputsNear && outputsFromReaper(outputsNear, outputs);
      if (startNow) {
        instance.startedAt = process.hrtime.bigint();
        // The program's time: the clock starts when setup is done and it is released.
        const wallTimeMs = nativeTimeLimit(norm.limits.wallTimeMs, run.end);
        if (wallTimeMs) instance.setWallTime(wallTimeMs, true);
      }
      const terminal = await untilReady(instance, stdio, norm.terminal !== null, signal);
      profile?.mark('ready');
      c = new Container(id, norm, spec, instance, stdio, terminal, removeWorkDirs, cgroup);
      c.outputsFromReaper = fromReaper;
      c.pooled = pooled;
    } catch (e) {
      for (const fd of unhanded) native.close(fd);
      outputsNear?.destroy();
      await removeWorkDirs();
      await cgroup?.remove();
      throw signal?.aborted ? abortError(signal) : e;
    }
    // Aborted as it became ready: what it set up goes as for any container.
    if (signal?.aborted) {
      await c.destroy();
      throw abortError(signal);
    }
    return c;
  }

  /**
   * create + start + collect output + destroy. stdout and stderr are Buffers, or strings
   * with an `encoding`. With `timeout` or `signal`, the program is ended as child_process
   * ends a child (options.ts, EndOptions); an abort rejects with an AbortError once
   * nothing of the container is left.
   */
  static run(config: ContainerConfig, options: RunOptions & { encoding: BufferEncoding }): Promise<RunResult<string>>;
  static run(config: ContainerConfig, options?: RunOptions & { encoding?: 'buffer' | null }): Promise<RunResult>;
  static run(config: ContainerConfig, options?: RunOptions): Promise<RunResult<string | Buffer>>;
  static async run(config: ContainerConfig, options?: RunOptions): Promise<RunResult<string | Buffer>> {
    const o = validateRunOptions(options);
    const profile = o.profile ? new Profile() : undefined;
    // No input and the default stdio: stdin is /dev/null, not a pipe (the program reads EOF either way).
    const defaultStdio = typeof config === 'object' && config !== null && config.stdio === undefined && !config.terminal;
    const noStdin = defaultStdio && o.input === undefined;
    const c = await Container.createInternal(config, { id: o.id, signal: o.end.signal, run: { outputs: o.outputs, end: o.end, profile, noStdin } });
    return c.runToEnd(() => c.start(), { ...o, profile });
  }

  /**
   * Containers created ahead, each waiting at its start barrier; `pool.run(args)` hands
   * one out and resolves like Container.run (README.md, "Pools"). Resolves once `size`
   * are ready.
   */
  static pool(config: PoolConfig, options?: PoolOptions): Promise<ContainerPool<Container>> {
    return ContainerPool.open(config, options, {
      create: (cfg) => Container.createInternal(cfg, { id: randomId(), pooled: true }),
      run: (c, start, o) => {
        c.instance.profile = o.profile;
        return c.runToEnd(() => c.startInternal(start, o.end), o);
      },
      stopped: (c) =>
        c.instance.exited.then(
          () => {},
          () => {},
        ),
      holdsLoop: (c, on) => {
        c.instance.setRef(on);
        c.stdio.setRef(on);
      },
      destroy: (c) => c.destroy(),
    });
  }

  /**
   * The rest of a run once created: start, input, output (decoded), outputs, destroy.
   * With `o.destroyLater` (a pool's run), the result does not wait for the destroy: it is
   * handed over to be waited for elsewhere (pool.close()).
   */
  private async runToEnd(start: () => Process, o: RunToEnd): Promise<RunResult<string | Buffer>> {
    const { profile, outputs } = o;
    let handedOver = false;
    try {
      // Without a reaper (init: false) the file agent reads them: it starts while the program runs.
      if (outputs.length && !this.outputsFromReaper) this.fileAccess.start('outputs').catch(() => {});
      const p = start();
      profile?.mark('process started');
      endWhen({ instance: this.instance, kill: (sig) => this.kill(sig), fail: (e) => p.fail(e) }, o.end);
      if (p.stdin && o.input !== undefined) p.stdin.write(o.input);
      // A terminal has no end of input (only ^D); a pipe does.
      if (p.stdin && !p.isTTY) p.stdin.end();
      const result = await p.output({ maxBuffer: o.maxBuffer, encoding: o.encoding });
      profile?.mark('output collected');
      if (outputs.length) result.files = (await this.outputsFromReaper) ?? (await this.fileAccess.collect(outputs));
      if (o.destroyLater) {
        o.destroyLater(this.destroy());
        handedOver = true;
      } else if (profile) await this.destroy();
      if (profile) {
        profile.mark(o.destroyLater ? 'result ready (destroy under way)' : 'destroyed');
        result.profile = profile.marks;
      }
      return result;
    } finally {
      if (!handedOver) await this.destroy();
    }
  }

  get state(): 'created' | 'running' | 'stopped' {
    if (this.stopped || this.destroying || this.instance.isDone) return 'stopped';
    return this.process ? 'running' : 'created';
  }

  /** Every namespace of the container, each with its /proc/<pid>/ns path. */
  get namespaces(): Namespaces {
    const out = new Namespaces();
    for (const e of this.config.namespaces) out.add(e.type, Namespaces.pathFor(this.pid, e.type));
    return out;
  }

  /** Releases the start barrier: the main process execs. Returns its Process. */
  start(): Process<S> {
    if (this.pooled) throw new ContainerError(`container ${this.id} belongs to a pool: pool.run() starts it`, { code: 'ERR_CONTAINER_POOLED' });
    return this.startInternal();
  }

  /**
   * `spec`: a pooled container's program, environment and working directory; `end` its
   * run's timeout (armed natively from the start, as a run's is from its release).
   */
  private startInternal(spec?: PooledStart, end?: NormalizedEnd): Process<S> {
    if (this.process) throw new ContainerError(`container ${this.id} was already started`, { code: 'ERR_CONTAINER_STARTED' });
    // run() starts at spawn; its main process may be done before we get here.
    const startedAtSpawn = this.instance.startedAt !== undefined;
    if (this.state === 'stopped' && !startedAtSpawn)
      throw new ContainerError(`container ${this.id} is stopped`, { code: 'ERR_CONTAINER_STOPPED' });
    if (!startedAtSpawn) {
      this.instance.start(spec && { args: spec.args, env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), cwd: spec.cwd });
      const wallTimeMs = end ? nativeTimeLimit(this.config.limits.wallTimeMs, end) : this.config.limits.wallTimeMs;
      if (wallTimeMs) this.instance.setWallTime(wallTimeMs);
    }
    this.process = new Process<S>(this.instance, this.stdio, {
      pid: this.mainPid,
      targetStage: this.config.init ? 'main' : 'init',
      terminal: this.terminal,
    });
    return this.process;
  }

  /**
   * A further process in the container (runc exec): it joins every namespace of the
   * container by path, with the container's capabilities, seccomp filter and limits.
   * `timeout` and `signal` end this process (options.ts, EndOptions); aborted before it
   * runs, this rejects with an AbortError. The overloads type its streams as create()'s.
   */
  exec<M extends StdioMode = 'pipe'>(args: string[], options?: WithStdio<ExecOptions, { stdio?: M; terminal?: false }>): Promise<Process<StdioStreams<M, M, M>>>;
  exec(args: string[], options: WithStdio<ExecOptions, { stdio?: PipedForTerminal; terminal: true | TerminalOption }>): Promise<Process<TerminalStdio>>;
  exec<I extends StdioEntry, O extends StdioEntry, E extends StdioEntry>(
    args: string[],
    options: WithStdio<ExecOptions, { stdio: readonly [I, O, E, ...StdioEntry[]]; terminal?: false }>,
  ): Promise<Process<StdioStreams<I, O, E>>>;
  exec(args: string[], options?: ExecOptions): Promise<Process>;
  async exec(args: string[], options?: ExecOptions): Promise<Process> {
    const opts = normalizeExec(args, options, this.config);
    const { signal } = opts.end;
    throwIfAborted(signal);
    if (this.state === 'stopped')
      throw new ContainerError(`cannot exec in container ${this.id}: it is stopped`, { code: 'ERR_CONTAINER_STOPPED' });
    if (this.state === 'created' && !this.config.init)
      throw new ContainerError(`cannot exec in container ${this.id} before start(): without init its PID 1 is not set up yet`, {
        code: 'ERR_CONTAINER_NOT_RUNNING',
      });
    const extraFds = opts.stdio.length - 3;
    const spec = buildExecBootstrap(this.spec, this.nsPathOf(extraFds), this.config.namespaces, {
      args: opts.args,
      env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`),
      cwd: opts.cwd,
      uid: opts.user.uid,
      gid: opts.user.gid,
      groups: opts.user.additionalGids,
      extraFds,
      logLevel: debug ? 1 : 0,
      terminal: opts.terminal,
    }, nestedPaths(this.instance, extraFds));
    const { instance, stdio } = await inTurn(() => {
      throwIfAborted(signal);
      return spawnInstance(spec, opts.stdio, false, this.instance.handle);
    });
    instance.startedAt = process.hrtime.bigint();
    // Its timeout's clock starts when setup is done and it runs, as a run's does.
    const timeLimit = nativeTimeLimit(undefined, opts.end);
    if (timeLimit) instance.setWallTime(timeLimit, true);
    this.execs.add(instance);
    void instance.done.then(() => this.execs.delete(instance));
    const terminal = await untilReady(instance, stdio, opts.terminal !== null, signal);
    this.stdioSets.push(stdio);
    if (terminal) this.terminals.push(terminal);
    const p = new Process(instance, stdio, { pid: instance.pids.init!, targetStage: 'init', terminal });
    endWhen({ instance, kill: (sig) => p.kill(sig), fail: (e) => p.fail(e) }, opts.end);
    return p;
  }

  /**
   * Signals every process of the container (default SIGTERM). With its own pid
   * namespace that is every process in it: through the reaper (init: true), or through a
   * short-lived process that joins the container and signals everything from inside
   * (init: false, whose PID 1 is the main process). Without a pid namespace of its
   * own, only the main process (and exec'd ones) can be told apart. A no-op once stopped.
   */
  kill(signal?: NodeJS.Signals | number): void {
    const sig = signalNumber(signal);
    if (this.state === 'stopped') return;
    const ownPidNs = this.config.namespaces.isNew('pid');
    if (sig === 9 && (ownPidNs || this.cgroup)) {
      // The pid namespace ends with its PID 1; a cgroup ends at once (cgroup.kill, else the freezer).
      this.instance.killAll();
      void this.cgroup?.kill();
      return;
    }
    if (this.config.init && ownPidNs) {
      this.instance.signalAllViaReaper(sig);
      return;
    }
    if (!ownPidNs || !this.process) {
      this.instance.signal(this.config.init ? 'main' : 'init', sig);
      for (const e of this.execs) e.signal('init', sig);
      return;
    }
    // init: false: everything but PID 1 first, from inside; PID 1 last, since its
    // exit ends the namespace (with SIGKILL for whoever has not seen the signal yet).
    const spec = buildSignalAllBootstrap(this.spec, this.nsPathOf(0), this.config.namespaces, sig, nestedPaths(this.instance, 0));
    const { instance } = spawnInstance(spec, ['ignore', 'ignore', 'ignore'], false, this.instance.handle);
    this.execs.add(instance);
    instance.ready.catch(() => {}); // it exits without reporting ready; that is its success
    void instance.done.then(() => {
      this.execs.delete(instance);
      this.instance.signal('init', sig);
    });
  }

  /** For a spawn that joins this container with `extraFds` extra fds: where each namespace is. */
  private nsPathOf(extraFds: number): NsPathOf {
    return (t) => heldPath(this.instance, t, extraFds) ?? Namespaces.pathFor(this.pid, t);
  }

  /** The main process's exit status. */
  wait(): Promise<ExitStatus> {
    return this.instance.exited;
  }

  /**
   * What it has used so far: with cgroups, the whole container (and the memory and
   * processes it holds now); without, the main process and what it reaped.
   */
  stats(): Promise<LiveStats> {
    return liveStats(this.instance.programMs(), this.cgroup, this.mainPid);
  }

  /** The file at `path` inside the container (README.md, "Files"); works until destroy(), also after the program ended. */
  readFile(path: string): Promise<Buffer> {
    return this.fileAccess.readFile(path);
  }

  /** Writes a file inside the container (parents made as needed), owned by the container's user. */
  writeFile(path: string, data: string | Uint8Array, options?: { mode?: number }): Promise<void> {
    return this.fileAccess.writeFile(path, data, options);
  }

  /** Copies a host file or folder to `path` inside the container. */
  copyIn(hostPath: string, path: string): Promise<void> {
    return this.fileAccess.copyIn(hostPath, path);
  }

  /** Copies a file or folder of the container into the host folder `hostDir`. */
  copyOut(path: string, hostDir: string): Promise<void> {
    return this.fileAccess.copyOut(path, hostDir);
  }

  /** What the program added, modified and deleted in its overlays and writable root. */
  changes(): Promise<Change[]> {
    return this.fileAccess.changes();
  }

  /** Kills everything, reaps it, frees every resource. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= (async () => {
      // Until it is all gone, Node must not exit (a pooled container waited unreferenced).
      this.instance.setRef(true);
      // Without a pid namespace stage 2's death does not take exec'd processes along.
      await Promise.all([this.cgroup?.kill(), this.instance.destroy(), ...[...this.execs].map((e) => e.destroy()), this.fileAccess.close()]);
      await this.removeWorkDirs();
      this.stopped = true;
      // Its status reads the cgroups: they go once it is known, and every process is gone.
      await this.instance.exited.catch(() => {});
      await this.cgroup?.remove(this.instance.cgroupDirsLeft);
      // Every process is gone: what their streams still hold is dropped with them
      // (read output() before destroy() to keep it).
      for (const s of this.stdioSets) s.destroy();
      for (const t of this.terminals) t.destroy();
    })();
    return this.destroying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}
