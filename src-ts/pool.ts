/**
 * Container.pool (README.md, "Pools"): containers created ahead, each set up and waiting
 * at its start barrier; pool.run(args) hands one out with its program, environment and
 * working directory given at start (BootFlag.ArgsAtStart), and resolves like
 * Container.run. A container runs once: used ones are destroyed, never reused. The pool
 * refills in the background; waiting containers do not keep Node running.
 */
import * as os from 'node:os';
import { normalizeConfig, type ContainerConfig } from './config.js';
import { checkStringSizes, validateArgs, validateCwd, validateEnv } from './config-process.js';
import { isPlainObject, keysOf, optionsObject } from './config-values.js';
import { ConfigError, ContainerError } from './errors.js';
import { throwIfAborted } from './abort.js';
import { RUN_LIKE_KEYS, validateRunLike, type NormalizedRunLike, type RunOptions } from './options.js';
import { Profile } from './profile.js';
import type { RunResult } from './status.js';

/** A pool's configuration: a ContainerConfig without `args` (pool.run gives them). */
export type PoolConfig = Omit<ContainerConfig, 'args'> & { args?: never };

export interface PoolOptions {
  /** How many containers wait ready (1 to 256); default the number of CPUs. */
  size?: number;
}

/** pool.run's options: Container.run's (but `id`), and the program's environment and directory. */
export interface PoolRunOptions extends Omit<RunOptions, 'id'> {
  /** The environment, instead of the pool's (as exec's `env`). */
  env?: Record<string, string>;
  /** The working directory; default the pool's `cwd`. */
  cwd?: string;
}

/** What a pooled container is started with. */
export interface PooledStart {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** What a run needs once its container exists (shared with Container.run). */
export interface RunToEnd extends Omit<NormalizedRunLike, 'profile'> {
  profile?: Profile;
  /** Set: the result does not wait for the container's destroy, which goes here. */
  destroyLater?: (destroyed: Promise<void>) => void;
}

/** The container operations a pool uses (Container's own, passed in by Container.pool). */
export interface PoolHooks<C> {
  create(config: ContainerConfig): Promise<C>;
  run(c: C, start: PooledStart, o: RunToEnd): Promise<RunResult<string | Buffer>>;
  /** Settles when its main process has ended (or never will run). */
  stopped(c: C): Promise<void>;
  holdsLoop(c: C, on: boolean): void;
  destroy(c: C): Promise<void>;
}

// Not a program anyone runs: the bootstrap wants args, and a pooled container gets its
// own at start.
const PLACEHOLDER_ARGS = ['/pool.run'];
const RUN_OPTIONS = keysOf<PoolRunOptions>({ ...RUN_LIKE_KEYS, env: true, cwd: true });

function validateSize(v: unknown): number {
  if (v === undefined) return Math.min(256, Math.max(1, os.availableParallelism()));
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 256) throw new ConfigError('options.size', 'must be an integer from 1 to 256');
  return v;
}

export class ContainerPool<C = unknown> {
  /** How many containers it keeps ready. */
  readonly size: number;
  private readonly config: ContainerConfig;
  private readonly env: Record<string, string>;
  private readonly cwd: string;
  private readonly hooks: PoolHooks<C>;
  private readonly ready: C[] = [];
  /** Creations under way. */
  private filling = 0;
  /** Runs waiting for a container (when none was ready). */
  private readonly waiting: Array<{ resolve(c: C): void; reject(e: unknown): void }> = [];
  /** Runs under way and containers being destroyed: close() waits for them. */
  private readonly busy = new Set<Promise<unknown>>();
  /** The last creation's failure: the pool stops refilling until a run asks again. */
  private failure?: unknown;
  private closing?: Promise<void>;

  private constructor(config: ContainerConfig, size: number, env: Record<string, string>, cwd: string, hooks: PoolHooks<C>) {
    this.config = config;
    this.size = size;
    this.env = env;
    this.cwd = cwd;
    this.hooks = hooks;
  }

  /** Validates, then fills: resolves with `size` containers ready, or rejects with the first failure (nothing left). */
  static async open<C>(config: PoolConfig, options: PoolOptions | undefined, hooks: PoolHooks<C>): Promise<ContainerPool<C>> {
    if (!isPlainObject(config)) throw new ConfigError('config', 'must be an object');
    if ((config as { args?: unknown }).args !== undefined) throw new ConfigError('args', "a pool's programs are given to pool.run(args)");
    const size = validateSize(optionsObject(options, keysOf<PoolOptions>({ size: true }), 'a pool option').size);
    const full: ContainerConfig = { ...config, args: PLACEHOLDER_ARGS };
    const norm = normalizeConfig(full);
    // An upper layer on the host is one directory: containers made ahead would share it.
    norm.mounts.forEach((m, i) => {
      if (m.type === 'overlay' && m.upperDir !== undefined)
        throw new ConfigError(`mounts[${i}].upperDir`, 'is one host directory, which the containers of a pool would share: leave it out (each gets a private upper layer) or use Container.run');
    });
    const pool = new ContainerPool(full, size, norm.env, norm.cwd, hooks);
    const first = await Promise.allSettled(Array.from({ length: size }, () => pool.createOne()));
    const failed = first.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return pool;
  }

  /** Containers ready to be handed out now. */
  get idle(): number {
    return this.ready.length;
  }

  /** Runs `args` in a ready container (one is made if none is), and resolves like Container.run. */
  run(args: string[], options: PoolRunOptions & { encoding: BufferEncoding }): Promise<RunResult<string>>;
  run(args: string[], options?: PoolRunOptions & { encoding?: 'buffer' | null }): Promise<RunResult>;
  run(args: string[], options?: PoolRunOptions): Promise<RunResult<string | Buffer>>;
  async run(args: string[], options?: PoolRunOptions): Promise<RunResult<string | Buffer>> {
    if (this.closing) throw new ContainerError('the pool is closed', { code: 'ERR_POOL_CLOSED' });
    const argv = validateArgs(args);
    const o = optionsObject(options, RUN_OPTIONS, 'a pool.run option');
    const env = o.env === undefined ? this.env : validateEnv(o.env);
    checkStringSizes(argv, env, 'options.env');
    const start: PooledStart = { args: argv, env, cwd: validateCwd(o.cwd, 'options.cwd', this.cwd) };
    const runLike = validateRunLike(o);
    throwIfAborted(runLike.end.signal);
    const run: RunToEnd = {
      ...runLike,
      profile: runLike.profile ? new Profile() : undefined,
      // The result is whole once the program has ended and its output is read; the
      // container's teardown goes on meanwhile, and close() waits for it.
      destroyLater: (destroyed) => void this.track(destroyed).catch(() => {}),
    };
    const c = await this.take();
    this.refill();
    this.hooks.holdsLoop(c, true);
    return this.track(this.hooks.run(c, start, run));
  }

  /** Destroys every container it holds, waits for runs under way to end. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const err = new ContainerError('the pool is closed', { code: 'ERR_POOL_CLOSED' });
      for (const w of this.waiting.splice(0)) w.reject(err);
      for (const c of this.ready.splice(0)) this.track(this.hooks.destroy(c));
      while (this.busy.size || this.filling) await Promise.allSettled([...this.busy]);
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.busy.add(p);
    void p.then(
      () => this.busy.delete(p),
      () => this.busy.delete(p),
    );
    return p;
  }

  /** A ready container, the next one made, or (none under way) one made now. */
  private take(): Promise<C> {
    const c = this.ready.shift();
    if (c !== undefined) return Promise.resolve(c);
    this.failure = undefined; // asked again: try again
    if (this.filling <= this.waiting.length) void this.createOne().catch(() => {});
    return new Promise<C>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private refill(): void {
    while (!this.closing && this.failure === undefined && this.ready.length + this.filling - this.waiting.length < this.size)
      void this.createOne().catch(() => {});
  }

  /** Makes one container; it goes to a waiting run, or joins the ready ones. */
  private async createOne(): Promise<void> {
    this.filling++;
    let c: C;
    try {
      c = await this.track(this.hooks.create(this.config));
    } catch (e) {
      this.failure = e;
      this.waiting.shift()?.reject(e);
      throw e;
    } finally {
      this.filling--;
    }
    if (this.closing) {
      await this.track(this.hooks.destroy(c));
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) return waiter.resolve(c);
    this.hooks.holdsLoop(c, false);
    this.ready.push(c);
    // One that ends while it waits (killed from outside) is replaced.
    void this.hooks.stopped(c).then(() => {
      const i = this.ready.indexOf(c);
      if (i < 0) return;
      this.ready.splice(i, 1);
      this.track(this.hooks.destroy(c)).catch(() => {});
      this.refill();
    });
  }
}
