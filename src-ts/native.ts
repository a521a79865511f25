/**
 * The addon's surface (src-native/addon/bindings.cc), typed; where the addon and the
 * init program are found. Everything native goes through this file.
 */
import * as path from 'node:path';

/**
 * The bootstrap message in its JS shape. Its fields are the rows of NSJ_BOOTSTRAP_ATTRS
 * (src-native/protocol/bootstrap.h); `native.constants.bootstrapFields` lists them, and a
 * test proves this interface has exactly those.
 */
export interface BootstrapSpec {
  cloneFlags: number;
  nsPaths: Array<{ type: string; path: string }>;
  /** Joined after nsPaths: a locked container's nested user and mount namespaces. */
  nestedPaths?: Array<{ type: string; path: string }>;
  uidMap?: string;
  gidMap?: string;
  setgroups?: boolean;
  oomScoreAdj?: string;
  rootlessEuid?: boolean;
  uidMapPath?: string;
  gidMapPath?: string;
  args: string[];
  env: string[];
  cwd: string;
  hostname?: string;
  uid: number;
  gid: number;
  groups?: number[];
  mounts: MountSpec[];
  rlimits?: Array<{ resource: number; soft: number; hard: number }>; // -1: unlimited
  caps?: number[];
  noNewPrivs?: boolean;
  seccomp?: Buffer | null;
  flags: number;
  extraFds?: number;
  logLevel?: number;
  pdeathsig?: number;
  /** With BootFlag.SignalAll. */
  signal?: number;
  /** With BootFlag.Terminal: the initial window size, cols << 16 | rows. */
  terminalSize?: number;
  /** v1 tasks files stage 0 (single-threaded) writes "0" into before it clones stage 1 (src-ts/cgroups/). */
  cgroupTasks?: string[];
  /** The v2 cgroup directory stage 1 is cloned into (CLONE_INTO_CGROUP). */
  cgroupDir?: string;
  /** Paths the reaper sends back on the outputs socket once the main process has ended. */
  outputs?: string[];
}

/** What a process tree used (struct rusage): CPU microseconds, the largest resident set of one process in KiB. */
export interface NativeUsage {
  userUs: number;
  systemUs: number;
  maxRssKb: number;
}

/** The cgroup files the reactor holds for a container (src-native/addon/cgroup_watch.h). */
export interface CgroupWatchPaths {
  /** v2 cgroup.kill: written whenever the reactor kills the container. */
  killPath?: string;
  /** v2 cpu.stat or v1 cpuacct.usage: polled against cpuLimitMs. */
  cpuPath?: string;
  cpuLimitMs?: number;
  /** v1 memory.oom_control and the same cgroup's cgroup.event_control: the OOM notification. */
  oomControlPath?: string;
  eventControlPath?: string;
  /** Read when the container's init is reaped; their text comes with that 'reaped' event. */
  statFiles?: string[];
  /** Removed once every process of the instance is reaped; 'released' says which are still there. */
  dirs?: string[];
}

/** One mount operation (NSJ_MOUNT_ATTRS). */
export interface MountSpec {
  kind: number;
  source?: string;
  target: string;
  data?: string;
  flags?: number;
  mode?: number;
  size?: number;
  /** File: where its content starts in the files memfd. */
  offset?: number;
  /** Overlay with a host upper dir: its work dir. */
  workdir?: string;
}

/** What the addon exports of the protocol (src-native/addon/bootstrap_js.cc): TypeScript takes its numbers from here. */
export interface ProtocolConstants {
  mountKind: Record<string, number>;
  mountFlag: Record<string, number>;
  bootFlag: Record<string, number>;
  stage: Record<string, number>;
  namespaces: Array<{ type: string; proc: string; cloneFlag: number }>;
  bootstrapFields: string[];
  mountFields: string[];
  /** The file agent's frame types (src-native/protocol/files.h). */
  fileFrame: Record<string, number>;
  /** The largest DATA frame. */
  fileChunk: number;
}

/**
 * What the reactor posts. `at`: when it saw it (ms of the monotonic clock, as
 * process.hrtime); 'spawned' also has `began`, when it began the spawn.
 */
export type NativeEvent = NativeEventBody & { at: number; began?: number };

type NativeEventBody =
  | { handle: number; type: 'hello'; stage: 'child' | 'init' | 'main'; pid: number }
  | { handle: number; type: 'pids'; stage: 'parent'; pid: number; pidFirst: number }
  | { handle: number; type: 'error' | 'protocolError'; stage: string; errno: number; syscall?: string; path?: string; message?: string; pid?: number }
  | { handle: number; type: 'ready'; stage: string; pid?: number }
  | ({ handle: number; type: 'exit'; stage: string; code: number | null; signal: number; pid?: number } & NativeUsage)
  | ({ handle: number; type: 'reaped'; stage: 'parent' | 'child' | 'init'; pid: number; code: number | null; signal: number; cgroupFiles?: Record<string, string> } & NativeUsage)
  /** A cgroup limit ended the container (the reactor has killed it). */
  | { handle: number; type: 'limit'; stage: string; reason: 'cpu-time' | 'oom' }
  | { handle: number; type: 'log'; stage: string; message: string; pid?: number }
  | { handle: number; type: 'timeout'; stage: string }
  | { handle: number; type: 'pty'; stage: string; fd: number }
  | { handle: number; type: 'spawned'; stage: string; pid: number }
  | { handle: number; type: 'spawnFailed'; stage: string; errno: number; syscall: string; message?: string }
  | { handle: number; type: 'released'; stage: string; cgroupDirsLeft?: string[] }
  | { handle: number; type: 'closed'; stage: string }
  /**
   * The reactor now holds the container's namespaces (comma-separated /proc/<pid>/ns names, in
   * fd order); `fds` are copies that are ours to close. Scope 2: the overlays' upper layers
   * (only ours), in mount order.
   */
  | { handle: number; type: 'nsfds'; stage: string; types: string; locked: boolean; scope: number; fds: number[] };

export interface Native {
  encodeBootstrap(spec: BootstrapSpec): Buffer;
  decodeBootstrap(message: Buffer): BootstrapSpec;
  decodeReport(message: Buffer): { type: number; stage: string; errno: number; syscall: string; path: string; message: string };
  compileSeccomp(policy: object): Buffer;
  setEventHandler(handler: (event: NativeEvent) => void): void;
  /**
   * Starts stage 0 on the reactor thread (never blocking the event loop) and returns
   * the handle its events carry: first 'spawned' or 'spawnFailed'. The `transfer` fds
   * belong to the addon from here on: it closes them once the child has its copies.
   */
  spawn(options: {
    initPath: string;
    bootstrap: Buffer;
    stdio: [number, number, number];
    /** The fixtures' sealed memfd (src-native/common/fd_layout.h); belongs to the addon like `transfer`. */
    filesFd?: number;
    /** The far end of the outputs socket (BootstrapSpec.outputs); belongs to the addon like `transfer`. */
    outputsFd?: number;
    extraFds?: number[];
    transfer?: number[];
    /**
     * A container handle: stage 0 then holds copies of that container's namespace fds
     * after the extra fds (at firstExtraFd + extraFds.length + i, in the order of its
     * 'nsfds' event). If it has stopped, 'spawnFailed' with ESRCH.
     */
    join?: number;
    /** Stage 0 clones no stage (the file agent): nothing to wait for before killing it. */
    leaf?: boolean;
    /** A container with cgroup limits: the files the reactor holds (opened before stage 0 starts). */
    cgroup?: CgroupWatchPaths;
  }): number;
  /** Where stage 0 finds its first extra fd (src-native/common/fd_layout.h). */
  readonly firstExtraFd: number;
  readonly constants: ProtocolConstants;
  /**
   * Releases the start barrier (queued, sent by the reactor thread). `spec`: what a pooled
   * container (BootFlag.ArgsAtStart) runs, handed over in a sealed memfd.
   */
  start(handle: number, spec?: { args: string[]; env: string[]; cwd: string }): void;
  /** Whether a live instance keeps the event loop alive (all do until released). */
  setRef(handle: number, on: boolean): void;
  /** Closes fds on the reactor thread; then a 'closed' event carries `token` as its handle. */
  closeFds(token: number, fds: number[]): void;
  /** Asks the container's init to signal its main process (scope 0) or every process (1). */
  signalAll(handle: number, signal: number, scope: 0 | 1): void;
  /** Signals one process of an instance through its pidfd. 0, or an errno (ESRCH: gone). */
  signal(handle: number, stage: number, signal: number): number;
  /** SIGKILLs every process of an instance and writes its cgroup.kill, at once. 0, or ESRCH. */
  killAll(handle: number): number;
  /** Arms (or with 0 disarms) the native wall-time limit. */
  setWallTime(handle: number, ms: number, atReady?: boolean): void;
  /** Done with an instance; a last 'released' event follows once none of its fds is open. */
  release(handle: number): void;
  socketpair(): [number, number];
  /** An empty sealable memfd, close-on-exec. */
  memfdCreate(name: string): number;
  /** Seals a memfd: its contents can no longer change. */
  memfdSeal(fd: number): void;
  close(fd: number): void;
  /** TIOCSWINSZ on a pty master. 0 or an errno. */
  resizeTerminal(fd: number, cols: number, rows: number): number;
}

// dist/native.js -> the package root
const packageRoot = path.resolve(__dirname, '..');

function loadNative(): { native: Native; addonPath: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  let addonPath: string;
  try {
    addonPath = gypBuild.resolve(packageRoot);
  } catch (e) {
    throw new Error(
      `nsjail-ts: the native addon is not built for this platform (${(e as Error).message}). ` +
        'Run `npm rebuild nsjail-ts` (needs python3, make and a C++ compiler).',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { native: require(addonPath) as Native, addonPath };
}

const loaded = loadNative();
export const native: Native = loaded.native;
/** The init program sits next to the addon (build/Release or prebuilds/<platform>-<arch>). */
export const initPath: string = process.env.NSJAIL_TS_INIT ?? path.join(path.dirname(loaded.addonPath), 'nsjail-ts-init');

/**
 * `names` of the addon's table `which`, typed for TypeScript; any name missing or extra
 * on either side is a load error (and a unit test), never a silent mismatch.
 */
function table<const N extends string>(which: 'mountKind' | 'mountFlag' | 'bootFlag' | 'stage' | 'fileFrame', names: readonly N[]): Readonly<Record<N, number>> {
  const got = native.constants[which];
  const missing = names.filter((n) => typeof got[n] !== 'number');
  const extra = Object.keys(got).filter((n) => !(names as readonly string[]).includes(n));
  if (missing.length || extra.length)
    throw new Error(`nsjail-ts: the addon's ${which} table differs (missing ${missing.join(',') || 'none'}, extra ${extra.join(',') || 'none'}): rebuild it`);
  return Object.freeze(Object.fromEntries(names.map((n) => [n, got[n]]))) as Record<N, number>;
}

export const MountKind = table('mountKind', ['RootHost', 'RootDir', 'Bind', 'Tmpfs', 'Proc', 'Sysfs', 'Devpts', 'Mqueue', 'Dev', 'Mask', 'Rebind', 'File', 'Overlay']);
export const MountFlag = table('mountFlag', ['Readonly', 'Recursive', 'Nosuid', 'Nodev', 'Noexec', 'Optional', 'Idmap']);
export const BootFlag = table('bootFlag', ['Loopback', 'Init', 'StartNow', 'Exec', 'SignalAll', 'Terminal', 'Files', 'ArgsAtStart', 'DefaultHostname']);
export const FileFrame = table('fileFrame', ['ReqRead', 'ReqWrite', 'ReqWalk', 'ReqMkdir', 'ReqChanges', 'Ok', 'Error', 'File', 'Data', 'End', 'Entry', 'Done']);
/** proto::Stage, for signal(). */
export const StageId = table('stage', ['parent', 'child', 'init', 'main']);
