/**
 * `nsjail-ts run [options] -- command [args...]`: the command line, read into a
 * ContainerConfig. No process is started; the only files read are a seccomp policy file
 * and the host files --file puts in. Every mistake is a UsageError with one line that
 * says what is wrong; the caller prints it with the usage and exits 125.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CapabilityName } from '../capabilities.js';
import type { ContainerConfig, Mount } from '../config.js';
import { isNamespaceType, Namespaces, NAMESPACE_TYPES, type NamespaceType } from '../namespaces.js';

export class UsageError extends Error {}

export interface RunCommand {
  config: ContainerConfig;
  /** A pty when stdin is a terminal (-t). */
  tty: boolean;
  /** --output: what to copy out of the sandbox once the command has ended, and where to. */
  outputs: Array<{ path: string; hostDir: string }>;
}

/** "64M", "1.5G", "4096" -> bytes (binary units, as tmpfs and cgroups read them). */
export function parseSize(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgGtT]?)i?[bB]?$/.exec(text);
  if (!m) throw new UsageError(`${option}: "${text}" is not a size (e.g. 65536, 64M, 1.5G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}

function number(text: string, option: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${option}: "${text}" is not a number`);
  return n;
}

type Handler = (take: () => string, c: Draft) => void;

interface Draft {
  config: ContainerConfig;
  mounts: Mount[];
  env: Record<string, string> | undefined;
  drop: Set<NamespaceType>;
  join: Map<NamespaceType, string>;
  tty: boolean;
  outputs: RunCommand['outputs'];
}

const limits = (c: Draft) => (c.config.limits ??= {});
/** A host path as a shell user means it: relative to the current directory. */
const host = (p: string) => path.resolve(p);

/** Each option: how many values it takes (0 or more, read with `take`) and what it sets. */
const OPTIONS: Record<string, Handler> = {
  '--rootfs': (take, c) => (c.config.rootfs = host(take())),
  '--ro-rootfs': (_t, c) => (c.config.readonlyRootfs = true),
  '--bind': (take, c) => c.mounts.push({ type: 'bind', source: host(take()), target: take() }),
  '--ro-bind': (take, c) => c.mounts.push({ type: 'bind', source: host(take()), target: take(), readonly: true }),
  '--tmpfs': (take, c) => {
    const [target, size] = take().split(':');
    c.mounts.push(size ? { type: 'tmpfs', target, sizeBytes: parseSize(size, '--tmpfs') } : { type: 'tmpfs', target });
  },
  '--proc': (take, c) => c.mounts.push({ type: 'proc', target: take() }),
  '--overlay': (take, c) => c.mounts.push({ type: 'overlay', source: host(take()), target: take() }),
  '--overlay-upper': (take, c) => {
    const [source, upperDir, target] = [host(take()), host(take()), take()];
    c.mounts.push({ type: 'overlay', source, target, upperDir });
  },
  '--writable-root': (_t, c) => (c.config.writableRoot = true),
  '--file': (take, c) => {
    const [source, target] = [take(), take()];
    (c.config.files ??= {})[target] = hostFile(source);
  },
  '--output': (take, c) => c.outputs.push({ path: take(), hostDir: host(take()) }),
  '--hostname': (take, c) => (c.config.hostname = take()),
  '--chdir': (take, c) => (c.config.cwd = take()),
  '--setenv': (take, c) => ((c.env ??= {})[take()] = take()),
  '--unsetenv': (take, c) => {
    const name = take();
    if (c.env) delete c.env[name];
  },
  '--inherit-env': (_t, c) => (c.env = { ...(process.env as Record<string, string>), ...(c.env ?? {}) }),
  '--uid': (take, c) => ((c.config.user ??= { uid: 0, gid: 0 }).uid = number(take(), '--uid')),
  '--gid': (take, c) => ((c.config.user ??= { uid: 0, gid: 0 }).gid = number(take(), '--gid')),
  '--network': (take, c) => {
    const mode = take();
    if (mode !== 'none' && mode !== 'loopback' && mode !== 'host') throw new UsageError(`--network: "${mode}" is not none, loopback or host`);
    if (mode === 'host') c.drop.add('net');
    else c.config.network = mode;
  },
  '--no-namespace': (take, c) => c.drop.add(namespaceType(take(), '--no-namespace')),
  '--join': (take, c) => {
    const spec = take();
    const at = spec.indexOf(':');
    if (at < 0) throw new UsageError(`--join: "${spec}" is not TYPE:PATH`);
    c.join.set(namespaceType(spec.slice(0, at), '--join'), spec.slice(at + 1));
  },
  // The name is checked with the rest of the config (a ConfigError names it).
  '--cap-add': (take, c) => (c.config.capabilities ??= []).push(take().toUpperCase().replace(/^(?!CAP_)/, 'CAP_') as CapabilityName),
  '--seccomp': (take, c) => {
    const v = take();
    if (v === 'default' || v === 'none') c.config.seccomp = v;
    else {
      try {
        c.config.seccomp = JSON.parse(fs.readFileSync(v, 'utf8'));
      } catch (e) {
        throw new UsageError(`--seccomp: cannot read a policy from ${v}: ${(e as Error).message}`);
      }
    }
  },
  '--memory': (take, c) => (limits(c).memoryBytes = parseSize(take(), '--memory')),
  '--pids': (take, c) => (limits(c).pids = number(take(), '--pids')),
  '--cpus': (take, c) => (limits(c).cpus = number(take(), '--cpus')),
  '--memory-swap': (take, c) => (limits(c).memorySwapBytes = parseSize(take(), '--memory-swap')),
  '--cpu-time': (take, c) => (limits(c).cpuTimeMs = number(take(), '--cpu-time')),
  '--time': (take, c) => (limits(c).wallTimeMs = number(take(), '--time')),
  '--cgroup-parent': (take, c) => (limits(c).cgroupParent = take().split(',')),
  '--best-effort': (_t, c) => (limits(c).enforce = 'best-effort'),
  '--rlimit': (take, c) => {
    const [name, value] = take().split('=');
    if (!value) throw new UsageError('--rlimit: give NAME=VALUE (e.g. nofile=256)');
    (limits(c).rlimits ??= {})[name as 'nofile'] = value === 'unlimited' ? Infinity : number(value, '--rlimit');
  },
  '--tmp-size': (take, c) => (limits(c).tmpBytes = parseSize(take(), '--tmp-size')),
  '--run-size': (take, c) => (limits(c).runBytes = parseSize(take(), '--run-size')),
  '--shm-size': (take, c) => (limits(c).shmBytes = parseSize(take(), '--shm-size')),
  '--hide': (take, c) => (c.config.hidePaths ??= []).push(take()),
  '--show-credentials': (_t, c) => (c.config.hideCredentials = false),
  '--no-init': (_t, c) => (c.config.init = false),
  '--tty': (_t, c) => (c.tty = true),
  '-t': (_t, c) => (c.tty = true),
};

/** --file: a host file's content and its permission bits (never set-user-ID or set-group-ID), read now. */
function hostFile(source: string): { content: Buffer; mode: number } {
  try {
    return { content: fs.readFileSync(source), mode: fs.statSync(source).mode & 0o777 };
  } catch (e) {
    throw new UsageError(`--file: cannot read ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function namespaceType(text: string, option: string): NamespaceType {
  if (!isNamespaceType(text)) throw new UsageError(`${option}: "${text}" is not a namespace (${NAMESPACE_TYPES.join(', ')})`);
  return text;
}

export const RUN_OPTIONS = Object.keys(OPTIONS);

/** argv after `run`. */
export function parseRun(argv: string[]): RunCommand {
  const dash = argv.indexOf('--');
  if (dash < 0) throw new UsageError("missing '--' before the command (nsjail-ts run [options] -- command [args...])");
  const command = argv.slice(dash + 1);
  if (command.length === 0) throw new UsageError("no command after '--'");
  const c: Draft = { config: { args: command }, mounts: [], env: undefined, drop: new Set(), join: new Map(), tty: false, outputs: [] };
  const opts = argv.slice(0, dash);
  for (let i = 0; i < opts.length; ) {
    const name = opts[i++];
    const handler = OPTIONS[name];
    if (!handler) throw new UsageError(`unknown option ${JSON.stringify(name)}`);
    handler(() => {
      if (i >= opts.length) throw new UsageError(`${name} needs a value`);
      return opts[i++];
    }, c);
  }
  if (c.mounts.length) c.config.mounts = c.mounts;
  if (c.env) c.config.env = c.env;
  if (c.drop.size || c.join.size) {
    const ns = Namespaces.all();
    for (const t of c.drop) ns.remove(t);
    for (const [t, p] of c.join) {
      ns.remove(t);
      ns.add(t, p);
    }
    c.config.namespaces = ns;
  }
  return { config: c.config, tty: c.tty, outputs: c.outputs };
}
