/**
 * ContainerConfig (README.md, "Configuration") and its validation. Every field is
 * checked here, in TypeScript, before any process exists; errors name the field.
 *
 * The checks live by role: config-process.ts (args, env, cwd, user, stdio, terminal),
 * config-namespaces.ts (namespaces, hostname, id maps, network), config-filesystem.ts
 * (rootfs, mounts, hidePaths), config-limits.ts, config-privileges.ts (capabilities,
 * seccomp); config-values.ts holds the checks they are made of. This file holds the
 * shapes, and the order the checks run in.
 */
import { ConfigError } from './errors.js';
import type { Namespaces, NamespaceEntry, NamespaceType } from './namespaces.js';
import type { SeccompPolicy } from './seccomp.js';
import type { TerminalSize } from './terminal.js';
import type { CapabilityName } from './capabilities.js';
import type { StdioOption, TerminalOption } from './stdio-types.js';
import { END_OPTION_KEYS, validateEndOptions, type EndOptions, type NormalizedEnd } from './options.js';
import { describe, flag, int, isPlainObject, keysOf, onlyKnownKeys, optionsObject } from './config-values.js';
import {
  checkStringSizes,
  defaultEnv,
  rootUser,
  validateArgs,
  validateCwd,
  validateEnv,
  validateStdio,
  validateTerminal,
  validateUser,
  type StdioEntry,
  type User,
  type UserConfig,
} from './config-process.js';
import { normalizeNamespaces, validateHostname, validateMappings, validateNetwork, type IdMapping, type Network, type NetworkMode } from './config-namespaces.js';
import { validateFilesystem, validateHidePaths, writesToHost, type Mount, type WritableRootOption } from './config-filesystem.js';
import { checkStdioFitsNofile, validateLimits, type Limits, type LimitsConfig } from './config-limits.js';
import { validatePrivileges } from './config-privileges.js';
import { validateFiles, type FileContent, type Fixture } from './config-files.js';

// Other modules (and tests: MAX_STRING_BYTES) import these from here.
export { defaultEnv, MAX_STRING_BYTES, type StdioEntry } from './config-process.js';
export { mapsId, normalizeNamespaces, type IdMapping } from './config-namespaces.js';
export type { BindMount, DevptsMqueueMount, Mount, MountSafety, OverlayMount, ProcSysfsMount, TmpfsMount, WritableRootOption } from './config-filesystem.js';
export { CGROUP_LIMIT_NAMES, RLIMIT_NAMES, SCRATCH_DEFAULTS, type CgroupLimitName, type LimitsConfig, type RlimitName } from './config-limits.js';
export type { NetworkMode } from './config-namespaces.js';
export type { UserConfig } from './config-process.js';
export type { FileContent, Fixture } from './config-files.js';

export interface ContainerConfig {
  /** The main process; args[0] is looked up in the container's PATH. */
  args: string[];
  /** Replaces the default minimal environment (PATH, HOME, TERM) entirely, as child_process does. */
  env?: Record<string, string>;
  /** Inside the container; default '/'. */
  cwd?: string;
  /** Default Namespaces.all(). */
  namespaces?: Namespaces | Iterable<NamespaceType | NamespaceEntry>;
  /** A directory to pivot_root into; default the host's / read-only with private /proc, /dev, /tmp. */
  rootfs?: string;
  /** With rootfs: mount it read-only (the host's / is always read-only). Default false. */
  readonlyRootfs?: boolean;
  /**
   * The host view's / as a throwaway copy-on-write overlay: the program may change or add
   * anything, every change goes to a private tmpfs (`sizeBytes`, default 256 MiB) and
   * vanishes with the container. Default false (read-only).
   */
  writableRoot?: boolean | WritableRootOption;
  /** Applied in order after the defaults; targets resolved inside the root. */
  mounts?: Mount[];
  /**
   * Fixtures: path -> content (text, bytes, or { content, mode }), in place before create()
   * resolves, owned by the container's user (see fixtures.ts for where they may go).
   */
  files?: Record<string, FileContent>;
  /** Needs a new uts namespace. Default 'sandbox' when there is one. */
  hostname?: string;
  /** Inside the container; default 0/0. */
  user?: UserConfig;
  /** Default: the caller's euid -> 0 (works unprivileged). */
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  /** Default 'loopback' when a new net namespace is created, else 'host'. */
  network?: NetworkMode;
  limits?: LimitsConfig;
  /**
   * Default true: the caller's credentials (~/.ssh, ~/.aws, ~/.npmrc, ... under its home
   * and /root; see CREDENTIAL_PATHS) are covered by empty read-only mounts wherever the
   * host view or a bind shows them. A bind of such a path itself stays visible.
   */
  hideCredentials?: boolean;
  /** More host paths to hide the same way (absolute). */
  hidePaths?: string[];
  /** Capabilities kept, e.g. ['CAP_NET_BIND_SERVICE']; default none. */
  capabilities?: CapabilityName[];
  /** Default 'default' (a Docker-like deny list). */
  seccomp?: 'default' | 'none' | SeccompPolicy;
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  /**
   * As child_process: 'pipe' (default), 'inherit', 'ignore', or one entry per fd ('pipe',
   * 'inherit', 'ignore' or an fd of this process); entries past 2 become fds 3, 4, ...
   */
  stdio?: StdioOption;
  /** A pty for the main process (its stdin, stdout and stderr); optionally its size. */
  terminal?: boolean | TerminalOption;
  /** Default true: a tiny PID 1 that reaps zombies and forwards signals. */
  init?: boolean;
}

/** The validated configuration, with every default applied. */
export interface NormalizedConfig {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  namespaces: Namespaces;
  rootfs?: string;
  readonlyRootfs: boolean;
  writableRoot: { sizeBytes: number } | null;
  mounts: Mount[];
  files: Fixture[];
  hostname?: string;
  /** The hostname is the default ('sandbox'), not asked for: left out where a filter refuses it. */
  defaultHostname: boolean;
  user: User;
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  network: Network;
  limits: Limits;
  hideCredentials: boolean;
  hidePaths: string[];
  capabilities: number[];
  /** The compiled seccomp filter (null: none). */
  seccompProgram: Buffer | null;
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  stdio: StdioEntry[];
  terminal: TerminalSize | null;
  init: boolean;
}

const CONFIG_FIELDS = keysOf<ContainerConfig>({
  args: true, env: true, cwd: true, namespaces: true, rootfs: true, readonlyRootfs: true, mounts: true, hostname: true, user: true,
  uidMappings: true, gidMappings: true, network: true, limits: true, capabilities: true, seccomp: true, noNewPrivileges: true,
  oomScoreAdj: true, stdio: true, terminal: true, init: true, hideCredentials: true, hidePaths: true, writableRoot: true, files: true,
});

/** Checks every field, in an order where each check has what it depends on. */
export function normalizeConfig(input: unknown): NormalizedConfig {
  if (!isPlainObject(input)) throw new ConfigError('config', `must be an object, got ${describe(input)}`);
  const c = input;
  onlyKnownKeys(c, CONFIG_FIELDS, '', 'a ContainerConfig field');
  const args = validateArgs(c.args);
  const namespaces = normalizeNamespaces(c.namespaces);
  const stdio = validateStdio(c.stdio);
  const terminal = validateTerminal(c.terminal, 'terminal', stdio);
  const user = c.user === undefined ? rootUser() : validateUser(c.user, 'user');
  const env = c.env === undefined ? defaultEnv(user.uid, terminal !== null) : validateEnv(c.env);
  checkStringSizes(args, env, 'env');
  const cwd = validateCwd(c.cwd, 'cwd', '/');
  const filesystem = validateFilesystem(c, namespaces);
  const files = validateFiles(c.files);
  if (files.length > 0 && !namespaces.isNew('mount')) throw new ConfigError('files', "require a new 'mount' namespace");
  const hostname = validateHostname(c.hostname, namespaces);
  const mappings = validateMappings(c, namespaces);
  const network = validateNetwork(c.network, namespaces);
  const limits = validateLimits(c.limits, stdio);
  const privileges = validatePrivileges(c, writesToHost(filesystem));
  return {
    args, env, cwd, namespaces, ...filesystem, files, hostname, defaultHostname: c.hostname === undefined, user, ...mappings, network, limits, ...privileges,
    oomScoreAdj: c.oomScoreAdj === undefined ? undefined : int(c.oomScoreAdj, 'oomScoreAdj', -1000, 1000),
    stdio,
    terminal,
    init: flag(c.init, 'init', true),
    hideCredentials: flag(c.hideCredentials, 'hideCredentials', true),
    hidePaths: validateHidePaths(c.hidePaths),
  };
}

/** exec()'s options: what the process runs as (default: as the main process), and how it is ended. */
export interface ExecOptions extends EndOptions {
  /** Default: the container's environment. */
  env?: Record<string, string>;
  /** Default: the container's cwd. */
  cwd?: string;
  /** Default: the container's user. */
  user?: UserConfig;
  /** Default 'pipe' (not the container's stdio). */
  stdio?: StdioOption;
  /** Default none (not the container's terminal). */
  terminal?: boolean | TerminalOption;
}

export interface NormalizedExec {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  user: User;
  stdio: StdioEntry[];
  terminal: TerminalSize | null;
  end: NormalizedEnd;
}

const EXEC_OPTIONS = keysOf<ExecOptions>({ env: true, cwd: true, user: true, stdio: true, terminal: true, ...END_OPTION_KEYS });

/** exec()'s arguments; what is not given comes from the container's configuration. */
export function normalizeExec(args: unknown, options: unknown, container: NormalizedConfig): NormalizedExec {
  const argv = validateArgs(args);
  const o = optionsObject(options, EXEC_OPTIONS, 'an exec option');
  const user = o.user === undefined ? container.user : validateUser(o.user, 'options.user');
  const stdio = validateStdio(o.stdio);
  checkStdioFitsNofile(container.limits.rlimits, stdio);
  const terminal = validateTerminal(o.terminal, 'options.terminal', stdio);
  const env = o.env === undefined ? container.env : validateEnv(o.env);
  checkStringSizes(argv, env, 'options.env');
  return { args: argv, env, cwd: validateCwd(o.cwd, 'options.cwd', container.cwd), user, stdio, terminal, end: validateEndOptions(o) };
}
