/**
 * NormalizedConfig -> the bootstrap message for the init program (BootstrapSpec).
 * Policy lives here; the native side only carries it out.
 */
import type { NormalizedConfig, RlimitName } from './config.js';
import { planIdMaps } from './idmap.js';
import { planMounts } from './mounts.js';
import { BootFlag, native, type BootstrapSpec } from './native.js';
import type { NamespaceType } from './namespaces.js';
import { Namespaces } from './namespaces.js';

const RLIMITS: Record<RlimitName, number> = { cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, as: 9 };

/** Join order: user first (its capabilities may be needed to join the rest), then as given. */
function nsPaths(ns: Namespaces): Array<{ type: string; path: string }> {
  const out: Array<{ type: string; path: string }> = [];
  const entries = [...ns].filter((e) => e.path !== undefined);
  entries.sort((a, b) => (a.type === 'user' ? -1 : b.type === 'user' ? 1 : 0));
  for (const e of entries) out.push({ type: Namespaces.procName(e.type as NamespaceType), path: e.path! });
  return out;
}

/** The window size as the bootstrap carries it (cols << 16 | rows). */
function terminalSize(t: { cols: number; rows: number } | null | undefined): number | undefined {
  return t ? ((t.cols << 16) | t.rows) >>> 0 : undefined;
}

export interface BootstrapOptions {
  startNow: boolean;
  extraFds: number;
  logLevel: number;
  /** The container's cgroups, entered by stage 0 (src-ts/cgroups/). */
  cgroup?: Pick<BootstrapSpec, 'cgroupTasks' | 'cgroupDir'>;
  /** A pooled container: the start brings args, env and cwd. */
  argsAtStart?: boolean;
}

export function buildBootstrap(config: NormalizedConfig, opts: BootstrapOptions): BootstrapSpec {
  const ns = config.namespaces;
  const spec: BootstrapSpec = {
    cloneFlags: ns.cloneFlags(),
    nsPaths: nsPaths(ns),
    args: config.args,
    env: Object.entries(config.env).map(([k, v]) => `${k}=${v}`),
    cwd: config.cwd,
    hostname: config.hostname,
    uid: config.user.uid,
    gid: config.user.gid,
    groups: config.user.additionalGids,
    mounts: planMounts(config),
    rlimits: config.limits.rlimits.map(({ name, value }) => {
      const v = value === Infinity ? -1 : value;
      return { resource: RLIMITS[name], soft: v, hard: v };
    }),
    caps: config.capabilities,
    noNewPrivs: config.noNewPrivileges,
    seccomp: config.seccompProgram,
    flags:
      (config.network === 'loopback' ? BootFlag.Loopback : 0) |
      (config.init ? BootFlag.Init : 0) |
      (config.defaultHostname ? BootFlag.DefaultHostname : 0) |
      (opts.startNow ? BootFlag.StartNow : 0) |
      (config.terminal ? BootFlag.Terminal : 0) |
      (opts.argsAtStart ? BootFlag.ArgsAtStart : 0),
    terminalSize: terminalSize(config.terminal),
    extraFds: opts.extraFds,
    logLevel: opts.logLevel,
    pdeathsig: 9,
    ...opts.cgroup,
  };
  if (ns.isNew('user')) Object.assign(spec, planIdMaps(config));
  else spec.setgroups = process.geteuid!() === 0;
  if (config.oomScoreAdj !== undefined) spec.oomScoreAdj = String(config.oomScoreAdj);
  return spec;
}

/** runc's order for joining a running container (configs.NamespaceTypes): user first, mount late. */
const EXEC_JOIN_ORDER: NamespaceType[] = ['user', 'ipc', 'uts', 'net', 'pid', 'mount', 'cgroup', 'time'];

/** Where a join finds the container's namespace of a type (see joins.ts). */
export type NsPathOf = (type: NamespaceType) => string;

export interface ExecProcess {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  groups: number[];
  extraFds: number;
  logLevel: number;
  terminal?: { cols: number; rows: number } | null;
}

/**
 * A further process in a running container (runc exec): every namespace of the
 * container joined by path through its init, and the container's capabilities,
 * seccomp filter, no_new_privs and rlimits. No mounts, no new namespaces.
 */
/** Every process of the container's pid namespace gets `signal` (kill(-1) from inside). */
export function buildSignalAllBootstrap(
  container: BootstrapSpec,
  nsPath: NsPathOf,
  namespaces: Namespaces,
  signal: number,
  nested: Array<{ type: string; path: string }> = [],
): BootstrapSpec {
  const spec = buildExecBootstrap(container, nsPath, namespaces, {
    args: ['kill'],
    env: [],
    cwd: '/',
    uid: 0,
    gid: 0,
    groups: [],
    extraFds: 0,
    logLevel: 0,
  }, nested);
  // Not in the container's cgroups: at its pids limit (a fork bomb) it could not start.
  return { ...spec, flags: BootFlag.SignalAll, signal, seccomp: null, cgroupTasks: [], cgroupDir: undefined };
}

/**
 * `nested`: a locked container's nested user and mount namespaces (see joins.ts), joined
 * last; its own mount namespace is then not joined.
 */
export function buildExecBootstrap(
  container: BootstrapSpec,
  nsPath: NsPathOf,
  namespaces: Namespaces,
  proc: ExecProcess,
  nested: Array<{ type: string; path: string }> = [],
): BootstrapSpec {
  const lockedMount = nested.some((n) => n.type === 'mnt');
  return {
    cloneFlags: 0,
    nsPaths: EXEC_JOIN_ORDER.filter((t) => namespaces.contains(t) && !(t === 'mount' && lockedMount)).map((t) => ({
      type: Namespaces.procName(t),
      path: nsPath(t),
    })),
    nestedPaths: nested,
    setgroups: container.setgroups,
    rootlessEuid: container.rootlessEuid,
    // Every process of the container is in its cgroups: an exec'd one too.
    cgroupTasks: container.cgroupTasks,
    cgroupDir: container.cgroupDir,
    oomScoreAdj: container.oomScoreAdj,
    pdeathsig: container.pdeathsig,
    args: proc.args,
    env: proc.env,
    cwd: proc.cwd,
    uid: proc.uid,
    gid: proc.gid,
    groups: proc.groups,
    mounts: [],
    rlimits: container.rlimits,
    caps: container.caps,
    noNewPrivs: container.noNewPrivs,
    seccomp: container.seccomp,
    flags: BootFlag.StartNow | BootFlag.Exec | (proc.terminal ? BootFlag.Terminal : 0),
    terminalSize: terminalSize(proc.terminal),
    extraFds: proc.extraFds,
    logLevel: proc.logLevel,
  };
}

/**
 * The file agent of a container (file-agent.ts): stage 0 joins its user and mount
 * namespaces through `fds` (our copies, held-fds.ts), which it gets as extra fds in this
 * order, followed by `layers`; files it makes belong to the container's user.
 */
export function buildFileAgentBootstrap(
  container: BootstrapSpec,
  fds: { own: Map<string, number>; nested: Map<string, number> },
  layers: number[],
  logLevel: number,
): { spec: BootstrapSpec; extraFds: number[]; layerFd: (i: number) => number } {
  const extraFds: number[] = [];
  const at = (fd: number) => `/proc/self/fd/${native.firstExtraFd + extraFds.push(fd) - 1}`;
  const nsPaths: Array<{ type: string; path: string }> = [];
  const nestedPaths: Array<{ type: string; path: string }> = [];
  for (const t of ['user', 'mnt']) {
    const fd = fds.own.get(t);
    // A locked container's program sees the nested mount namespace (setup/mount_lock.h).
    if (fd !== undefined && !(t === 'mnt' && fds.nested.has('mnt'))) nsPaths.push({ type: t, path: at(fd) });
  }
  for (const t of ['user', 'mnt']) {
    const fd = fds.nested.get(t);
    if (fd !== undefined) nestedPaths.push({ type: t, path: at(fd) });
  }
  const firstLayer = native.firstExtraFd + extraFds.length;
  extraFds.push(...layers);
  const spec: BootstrapSpec = {
    cloneFlags: 0,
    nsPaths,
    nestedPaths,
    pdeathsig: container.pdeathsig,
    args: ['files'],
    env: [],
    cwd: '/',
    uid: container.uid,
    gid: container.gid,
    mounts: [],
    flags: BootFlag.Files,
    extraFds: extraFds.length,
    logLevel,
  };
  return { spec, extraFds, layerFd: (i) => firstLayer + i };
}
