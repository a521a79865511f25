/**
 * Container (README.md, "API" and "Lifecycle"): create sets everything up and leaves
 * the main process waiting at the start barrier (runc create); start releases it (runc
 * start); destroy kills and reaps everything. run = create + start + output + destroy.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { buildBootstrap, buildExecBootstrap, buildSignalAllBootstrap, type NsPathOf } from './bootstrap.js';
import { normalizeConfig, normalizeExec, type ContainerConfig, type ExecOptions, type NormalizedConfig } from './config.js';
import { validateOutputs } from './config-files.js';
import { ContainerFiles, outputsFromReaper } from './container-files.js';
import { fixturesMemfd } from './fixtures.js';
import { prepareUpperDirs, type Change } from './overlays.js';
import { ConfigError, ContainerError } from './errors.js';
import { ensureReactor } from './events.js';
import { Instance } from './instance.js';
import { heldPath, joinOwnContainers, nestedPaths, registerLive } from './joins.js';
import { Namespaces } from './namespaces.js';
import { BootFlag, initPath, native, type BootstrapSpec, type CgroupWatchPaths } from './native.js';
import { DEFAULT_MAX_BUFFER, Process, validateMaxBuffer } from './process.js';
import { createContainerCgroup } from './cgroups/limits.js';
import type { ContainerCgroup } from './cgroups/container-cgroup.js';
import { cgroupCompleter, liveStats, type LiveStats } from './cgroups/stats.js';
import { openStdio, type StdioSet } from './stdio.js';
import { signalNumber, type ExitStatus, type RunResult } from './status.js';
import { inTurn } from './spawn-queue.js';
import { Profile } from './profile.js';
import { ContainerPool, type PoolConfig, type PoolOptions, type PooledStart, type RunToEnd } from './pool.js';
import { Terminal } from './terminal.js';

export interface CreateOptions {
  /** [A-Za-z0-9_.-], 1 to 64 characters; default a random 12-hex-digit id. */
  id?: string;
}

export interface RunOptions extends CreateOptions {
  /** Written to the main process's stdin (which is then closed). */
  input?: string | Buffer;
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
  /**
   * A debugging aid: `result.profile` lists, on one clock, where the start and end spent
   * their time (JS, the addon's thread, every stage and mount). Adds a little time itself.
   */
  profile?: boolean;
}

/** NSJAIL_TS_DEBUG: 1 (or true, yes) for the stages' steps; 2 for every mount too. */
const debugLevel = /^(1|true|yes)$/i.test(process.env.NSJAIL_TS_DEBUG ?? '') ? 1 : process.env.NSJAIL_TS_DEBUG === '2' ? 2 : 0;
const debug = debugLevel > 0;

interface CreateHow {
  startNow: boolean;
  /** A run without input and with the default stdio: stdin is /dev/null, not a pipe (the program reads EOF either way). */
  noStdin?: boolean;
  outputs?: string[];
  profile?: Profile;
  pooled?: boolean;
}

// Random ids come from a batch: one call into crypto per 256 containers, not per one.
let idPool = Buffer.alloc(0);
let idAt = 0;
function randomId(): string {
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
    const handle = native.spawn({ initPath, bootstrap, stdio: stdio.childFds, extraFds: stdio.extraFds, filesFd, outputsFd, transfer, join, cgroup });
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

export class Container {
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
  private process?: Process;
  private destroying?: Promise<void>;
  private stopped = false;
  /** With cgroup limits: the container's cgroups (src-ts/cgroups/). */
  private readonly cgroup?: ContainerCgroup;
  /** readFile, writeFile, copyIn, copyOut, changes (container-files.ts). */
  private readonly fileAccess: ContainerFiles;
  /** Removes the overlays' work dirs on the host (overlays.ts). */
  private readonly removeWorkDirs: () => Promise<void>;
  /** Made by a pool: its start brings what it runs (pool.run). */
  private pooled = false;
  /** A run's outputs as the reaper sends them (undefined: it could not). */
  private outputsFromReaper?: Promise<Record<string, Buffer> | undefined>;

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

  /** Sets up namespaces, mounts and limits; the main process waits at the start barrier. */
  static async create(config: ContainerConfig, options: CreateOptions = {}): Promise<Container> {
    return Container.createInternal(config, options, { startNow: false });
  }

  /**
   * `startNow`: released at once (run). `outputs` (a run's): with init, the reaper sends
   * them once the main process has ended. `pooled`: the start brings args, env and cwd.
   */
  private static async createInternal(config: ContainerConfig, options: CreateOptions, how: CreateHow): Promise<Container> {
    const { startNow, outputs = [], profile, pooled = false } = how;
    // Validating and planning is synchronous work too: sixty-four create() calls in one
    // tick do it one per turn of the event loop, not all at once (spawn-queue.ts).
    await inTurn(() => {});
    const id = validateId(options?.id);
    let norm = normalizeConfig(config);
    if (how.noStdin) norm = { ...norm, stdio: ['ignore', ...norm.stdio.slice(1)] };
    profile?.mark('config normalized');
    const extraFds = norm.stdio.length - 3;
    // Joins of our own containers' namespaces go through the fds the addon holds for them.
    const { namespaces: joined, join } = joinOwnContainers(norm.namespaces, extraFds);
    // Made before any process, entered by stage 0: every process is inside from its start.
    const cgroup = (await createContainerCgroup(norm.limits)) ?? undefined;
    let removeWorkDirs = async (): Promise<void> => {};
    let outputsNear: net.Socket | undefined;
    const unhanded: number[] = []; // ours to close until spawnInstance has them
    try {
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
      const spawned = inTurn(() => spawnInstance(spec, norm.stdio, norm.init, join, { filesFd, outputsFd }, cgroup?.watch, profile));
      unhanded.length = 0;
      const { instance, stdio } = await spawned;
      if (cgroup) instance.completeStatus = cgroupCompleter(cgroup, instance.initGone);
      const fromReaper = outputsNear && outputsFromReaper(outputsNear, outputs);
      if (startNow) {
        instance.startedAt = process.hrtime.bigint();
        // The program's time: the clock starts when setup is done and it is released.
        if (norm.limits.wallTimeMs) instance.setWallTime(norm.limits.wallTimeMs, true);
      }
      const terminal = await readyOrCleanUp(instance, stdio, norm.terminal !== null);
      profile?.mark('ready');
      const c = new Container(id, norm, spec, instance, stdio, terminal, removeWorkDirs, cgroup);
      c.outputsFromReaper = fromReaper;
      c.pooled = pooled;
      return c;
    } catch (e) {
      for (const fd of unhanded) native.close(fd);
      outputsNear?.destroy();
      await removeWorkDirs();
      await cgroup?.remove();
      throw e;
    }
  }

  /** create + start + collect output + destroy. */
  static async run(config: ContainerConfig, options: RunOptions = {}): Promise<RunResult> {
    const maxBuffer = validateMaxBuffer(options?.maxBuffer, DEFAULT_MAX_BUFFER);
    const outputs = validateOutputs(options?.outputs);
    const profile = options?.profile ? new Profile() : undefined;
    const defaultStdio = typeof config === 'object' && config !== null && config.stdio === undefined && !config.terminal;
    const noStdin = defaultStdio && options?.input === undefined;
    const c = await Container.createInternal(config, options, { startNow: true, outputs, profile, noStdin });
    return c.runToEnd(() => c.start(), { input: options.input, maxBuffer, outputs, profile });
  }

  /**
   * Containers created ahead, each waiting at its start barrier; `pool.run(args)` hands
   * one out and resolves like Container.run (README.md, "Pools"). Resolves once `size`
   * are ready.
   */
  static pool(config: PoolConfig, options?: PoolOptions): Promise<ContainerPool<Container>> {
    return ContainerPool.open(config, options, {
      create: (cfg) => Container.createInternal(cfg, {}, { startNow: false, pooled: true }),
      run: (c, start, opts) => {
        c.instance.profile = opts.profile;
        return c.runToEnd(() => c.startInternal(start), opts);
      },
      stopped: (c) => c.instance.exited.then(
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
   * The rest of a run once created: start, input, output, outputs, destroy. With
   * `o.destroyLater` (a pool's run), the result does not wait for the destroy: it is
   * handed over to be waited for elsewhere (pool.close()).
   */
  private async runToEnd(start: () => Process, o: RunToEnd): Promise<RunResult> {
    const { profile, outputs } = o;
    let handedOver = false;
    try {
      // Without a reaper (init: false) the file agent reads them: it starts while the program runs.
      if (outputs.length && !this.outputsFromReaper) this.fileAccess.start('outputs').catch(() => {});
      const p = start();
      profile?.mark('process started');
      if (p.stdin && o.input !== undefined) p.stdin.write(o.input);
      // A terminal has no end of input (only ^D); a pipe does.
      if (p.stdin && !p.isTTY) p.stdin.end();
      const result: RunResult = await p.output({ maxBuffer: o.maxBuffer });
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
  start(): Process {
    if (this.pooled) throw new ContainerError(`container ${this.id} belongs to a pool: pool.run() starts it`, { code: 'ERR_CONTAINER_POOLED' });
    return this.startInternal();
  }

  /** `spec`: a pooled container's program, environment and working directory. */
  private startInternal(spec?: PooledStart): Process {
    if (this.process) throw new ContainerError(`container ${this.id} was already started`, { code: 'ERR_CONTAINER_STARTED' });
    // run() starts at spawn; its main process may be done before we get here.
    const startedAtSpawn = this.instance.startedAt !== undefined;
    if (this.state === 'stopped' && !startedAtSpawn)
      throw new ContainerError(`container ${this.id} is stopped`, { code: 'ERR_CONTAINER_STOPPED' });
    if (!startedAtSpawn) {
      this.instance.start(spec && { args: spec.args, env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), cwd: spec.cwd });
      if (this.config.limits.wallTimeMs) this.instance.setWallTime(this.config.limits.wallTimeMs);
    }
    this.process = new Process(this.instance, this.stdio, {
      pid: this.mainPid,
      targetStage: this.config.init ? 'main' : 'init',
      terminal: this.terminal,
    });
    return this.process;
  }

  /**
   * A further process in the container (runc exec): it joins every namespace of the
   * container by path, with the container's capabilities, seccomp filter and limits.
   */
  async exec(args: string[], options?: ExecOptions): Promise<Process> {
    const opts = normalizeExec(args, options, this.config);
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
    const { instance, stdio } = await inTurn(() => spawnInstance(spec, opts.stdio, false, this.instance.handle));
    instance.startedAt = process.hrtime.bigint();
    this.execs.add(instance);
    void instance.done.then(() => this.execs.delete(instance));
    const terminal = await readyOrCleanUp(instance, stdio, opts.terminal !== null);
    this.stdioSets.push(stdio);
    if (terminal) this.terminals.push(terminal);
    return new Process(instance, stdio, { pid: instance.pids.init!, targetStage: 'init', terminal });
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
