/**
 * What the container must not see or change, as mount operations applied after every
 * other mount (src-native/setup/masks.cc):
 *
 * - runc's masked and read-only paths of every procfs and sysfs (its defaults in
 *   libcontainer/specconv), plus the kernel's page and slab statistics;
 * - the caller's credentials in the host view and in binds that expose them, unless the
 *   configuration binds them on purpose.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Mount } from './config.js';
import { MountFlag, MountKind, type MountSpec } from './native.js';

/** Read as empty (files) or an empty read-only directory: kernel memory, keys, timers, devices. */
export const PROC_MASKED = [
  'kcore', 'keys', 'timer_list', 'timer_stats', 'sched_debug', 'latency_stats', 'slabinfo',
  'kpageflags', 'kpagecount', 'kpagecgroup', 'acpi', 'scsi', 'asound',
] as const;
/** Bound read-only onto themselves: sysctls, the magic SysRq key, interrupts, buses, file systems. */
export const PROC_READONLY = ['sys', 'sysrq-trigger', 'irq', 'bus', 'fs'] as const;
/** Firmware tables, and RAPL energy counters (a power side channel). */
export const SYS_MASKED = ['firmware', 'devices/virtual/powercap'] as const;

/**
 * Credentials found under a home directory, hidden by default (`hideCredentials`): keys,
 * cloud and cluster logins, registry and package-index tokens.
 */
export const CREDENTIAL_PATHS = [
  '.ssh', '.gnupg', '.aws', '.azure', '.config/gcloud', '.kube', '.docker', '.npmrc', '.netrc',
  '.git-credentials', '.pypirc', '.cargo/credentials', '.cargo/credentials.toml',
] as const;

function mask(target: string): MountSpec {
  return { kind: MountKind.Mask, target, flags: MountFlag.Optional };
}

/** The masks of a procfs mounted at `target`. */
export function procMasks(target: string): MountSpec[] {
  return [
    ...PROC_MASKED.map((p) => mask(path.posix.join(target, p))),
    ...PROC_READONLY.map((p): MountSpec => ({ kind: MountKind.Rebind, target: path.posix.join(target, p), flags: MountFlag.Readonly | MountFlag.Optional })),
  ];
}

/** The masks of a sysfs mounted at `target`. */
export function sysMasks(target: string): MountSpec[] {
  return SYS_MASKED.map((p) => mask(path.posix.join(target, p)));
}

/** Whether `p` is `dir` or below it. */
function isUnder(p: string, dir: string): boolean {
  const rel = path.posix.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
}

function realpath(p: string): string | undefined {
  // Most of the credential paths are missing: a failed stat is cheaper than a failed
  // realpath (and its exception), and this runs on every start.
  if (!fs.existsSync(p)) return undefined;
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined; // missing: nothing to hide
  }
}

/** The host paths to hide: the credential list under the caller's home and root's, and `extra`. */
export function hiddenHostPaths(builtIn: boolean, extra: string[]): string[] {
  const homes = builtIn ? [...new Set([os.homedir(), '/root'])] : [];
  const wanted = [...homes.flatMap((h) => CREDENTIAL_PATHS.map((c) => path.join(h, c))), ...extra];
  const out = new Set<string>();
  for (const p of wanted) {
    const real = realpath(p);
    if (real && real !== '/') out.add(real);
  }
  return [...out];
}

/**
 * Where each hidden host path appears inside: in the host view at its own path (unless a
 * mount covers that place), and below every bind whose source contains it. A bind whose
 * source is itself hidden (or inside a hidden path) is a deliberate grant and stays visible.
 */
export function credentialMasks(hidden: string[], opts: { hostView: boolean; mounts: Mount[]; covered: string[] }): MountSpec[] {
  const targets = new Set<string>();
  const binds = opts.mounts.flatMap((m) => (m.type === 'bind' || m.type === 'overlay' ? [{ m, source: realpath(m.source) }] : []));
  for (const h of hidden) {
    const covered = [...opts.covered, ...opts.mounts.map((m) => m.target)].some((t) => isUnder(h, t));
    if (opts.hostView && !covered) targets.add(h);
    for (const { m, source } of binds) {
      if (!source || !isUnder(h, source)) continue;
      if (hidden.some((g) => isUnder(source, g))) continue; // bound on purpose
      targets.add(path.posix.join(m.target, path.posix.relative(source, h)));
    }
  }
  return [...targets].map(mask);
}
