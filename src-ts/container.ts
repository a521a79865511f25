/**
 * Container (API.md): create sets everything up and leaves the main process waiting at
 * the start barrier (runc create); start releases it (runc start); destroy kills and
 * reaps everything. run = create + start + output + destroy.
 */
import { randomBytes } from 'node:crypto';
import { buildBootstrap } from './bootstrap.js';
import { normalizeConfig, type ContainerConfig, type NormalizedConfig } from './config.js';
import { ConfigError, ContainerError } from './errors.js';
import { ensureReactor } from './events.js';
import { Instance } from './instance.js';
import { Namespaces } from './namespaces.js';
import { initPath, native } from './native.js';
import { Process } from './process.js';
import { openStdio, type StdioSet } from './stdio.js';
import { signalNumber, type ExitStatus, type RunResult } from './status.js';

export interface CreateOptions {
  /** [A-Za-z0-9_.-], 1 to 64 characters; default a random 12-hex-digit id. */
  id?: string;
}

export interface RunOptions extends CreateOptions {
  /** Written to the main process's stdin (which is then closed). */
  input?: string | Buffer;
}

const debug = /^(1|true|yes)$/i.test(process.env.NSJAIL_TS_DEBUG ?? '');

function validateId(id: unknown): string {
  if (id === undefined) return randomBytes(6).toString('hex');
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id))
    throw new ConfigError('id', 'must be 1 to 64 characters of [A-Za-z0-9_.-]');
  return id;
}

export class Container {
  readonly id: string;
  /** Host pid of the container's init (stage 2). */
  readonly pid: number;

  private readonly config: NormalizedConfig;
  private readonly instance: Instance;
  private readonly stdio: StdioSet;
  private readonly mainPid: number;
  private process?: Process;
  private destroying?: Promise<void>;
  private stopped = false;

  private constructor(id: string, config: NormalizedConfig, instance: Instance, stdio: StdioSet) {
    this.id = id;
    this.config = config;
    this.instance = instance;
    this.stdio = stdio;
    this.pid = instance.pids.init!;
    this.mainPid = config.init ? instance.pids.main! : this.pid;
    void instance.exited.then(() => {
      this.stopped = true;
    });
  }

  /** Sets up namespaces, mounts and limits; the main process waits at the start barrier. */
  static async create(config: ContainerConfig, options: CreateOptions = {}): Promise<Container> {
    return Container.createInternal(config, options, false);
  }

  private static async createInternal(config: ContainerConfig, options: CreateOptions, startNow: boolean): Promise<Container> {
    const id = validateId(options?.id);
    const norm = normalizeConfig(config);
    const spec = buildBootstrap(norm, { startNow, extraFds: norm.stdio.length - 3, logLevel: debug ? 1 : 0 });
    const bootstrap = native.encodeBootstrap(spec);
    ensureReactor();
    const stdio = openStdio(norm.stdio);
    let instance: Instance;
    try {
      const spawned = native.spawn({ initPath, bootstrap, stdio: stdio.childFds, extraFds: stdio.extraFds });
      instance = new Instance(spawned, { init: norm.init, debug });
    } catch (e) {
      stdio.destroy();
      const err = e as Error & { errno?: number; syscall?: string };
      throw new ContainerError(`cannot start the init program: ${err.message}`, {
        code: err.errno === 2 ? 'ENOENT' : 'ERR_CONTAINER_SPAWN',
        syscall: err.syscall,
        path: initPath,
      });
    } finally {
      stdio.closeAfterSpawn();
    }
    if (startNow) {
      instance.startedAt = process.hrtime.bigint();
      if (norm.limits.wallTimeMs) instance.setWallTime(norm.limits.wallTimeMs);
    }
    try {
      await instance.ready;
    } catch (e) {
      await instance.destroy();
      stdio.destroy();
      throw e;
    }
    return new Container(id, norm, instance, stdio);
  }

  /** create + start + collect output + destroy. */
  static async run(config: ContainerConfig, options: RunOptions = {}): Promise<RunResult> {
    const c = await Container.createInternal(config, options, true);
    try {
      const p = c.start();
      if (p.stdin) {
        if (options.input !== undefined) p.stdin.end(options.input);
        else p.stdin.end();
      }
      return await p.output();
    } finally {
      await c.destroy();
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
    if (this.process) throw new ContainerError(`container ${this.id} was already started`, { code: 'ERR_CONTAINER_STARTED' });
    if (this.state === 'stopped') throw new ContainerError(`container ${this.id} is stopped`, { code: 'ERR_CONTAINER_STOPPED' });
    if (!this.instance.startedAt) {
      this.instance.start();
      if (this.config.limits.wallTimeMs) this.instance.setWallTime(this.config.limits.wallTimeMs);
    }
    this.process = new Process(this.instance, this.stdio, {
      pid: this.mainPid,
      targetStage: this.config.init ? 'main' : 'init',
    });
    return this.process;
  }

  /** Signals every process of the container (default SIGTERM). */
  kill(signal?: NodeJS.Signals | number): void {
    const sig = signalNumber(signal);
    if (this.state === 'stopped') return;
    if (sig === 9) this.instance.killAll();
    else if (this.config.init && this.config.namespaces.isNew('pid')) this.instance.signalViaInit(sig, 1);
    else this.instance.signal('init', sig);
  }

  /** The main process's exit status. */
  wait(): Promise<ExitStatus> {
    return this.instance.exited;
  }

  /** Kills everything, reaps it, frees every resource. Idempotent. */
  destroy(): Promise<void> {
    this.destroying ??= (async () => {
      await this.instance.destroy();
      this.stopped = true;
      // Unstarted: nobody will ever read these. Started: stdin goes with the process,
      // and what stdout/stderr still hold stays readable until they end.
      if (!this.process) this.stdio.destroy();
      else this.stdio.stdin?.destroy();
    })();
    return this.destroying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}
