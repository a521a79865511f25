/**
 * The mount plan: the default sandbox filesystem plus the user's mounts, as the ordered
 * operations the init program carries out inside the new root (src-native/setup/rootfs.cc).
 *
 * Default (no rootfs): the host's / read-only (recursively, nosuid, nodev), a private
 * /proc for the new pid namespace, a minimal /dev, private tmpfs /tmp and /run (the
 * host's /run holds sockets of the caller's session: D-Bus, container engines), and a
 * fresh read-only /sys when the net namespace is new.
 */
import * as fs from 'node:fs';
import { MountFlag, MountKind, type MountSpec } from './native.js';
import type { Mount, MountSafety, NormalizedConfig } from './config.js';
import { defaultMappings, hostIdOf } from './idmap.js';
import { credentialMasks, hiddenHostPaths, procMasks, sysMasks } from './masks.js';

/** nosuid and nodev unless the mount turns them off; noexec only when asked. */
function safetyFlags(m: MountSafety): number {
  return (m.nosuid === false ? 0 : MountFlag.Nosuid) | (m.nodev === false ? 0 : MountFlag.Nodev) | (m.noexec ? MountFlag.Noexec : 0);
}

function userMount(m: Mount, idmapByDefault: boolean): MountSpec {
  switch (m.type) {
    case 'bind':
      return {
        kind: MountKind.Bind,
        source: m.source,
        target: m.target,
        flags:
          (m.readonly ? MountFlag.Readonly : 0) |
          (m.recursive === false ? 0 : MountFlag.Recursive) |
          ((m.idmap ?? idmapByDefault) ? MountFlag.Idmap : 0) |
          safetyFlags(m),
      };
    case 'tmpfs':
      return {
        kind: MountKind.Tmpfs,
        target: m.target,
        mode: m.mode ?? 0o755,
        size: m.sizeBytes,
        flags: (m.readonly ? MountFlag.Readonly : 0) | safetyFlags(m),
      };
    case 'proc':
      return { kind: MountKind.Proc, target: m.target };
    case 'sysfs':
      return { kind: MountKind.Sysfs, target: m.target, flags: MountFlag.Readonly };
    case 'devpts':
      return { kind: MountKind.Devpts, target: m.target };
    case 'mqueue':
      return { kind: MountKind.Mqueue, target: m.target };
  }
}

/**
 * Top-level directories the user's mount targets need but the host lacks (/data, /work):
 * the read-only host root cannot grow them, so the root is then built as a skeleton
 * (src-native/setup/skeleton.cc) that has them.
 */
function missingTopLevel(mounts: Mount[]): string[] {
  const out = new Set<string>();
  for (const m of mounts) {
    const top = m.target.split('/').filter(Boolean)[0];
    if (top && !fs.existsSync(`/${top}`)) out.add(top);
  }
  return [...out];
}

/**
 * Whether host-backed mounts (binds, the rootfs) get idmapped: for a root caller whose
 * container root is not host root (the default, see idmap.ts), so that the program owns
 * the caller's files there and what it writes lands on the host as the caller's.
 */
export function idmapsHostMounts(config: NormalizedConfig): boolean {
  if (process.geteuid!() !== 0 || !config.namespaces.isNew('user')) return false;
  return hostIdOf(config.uidMappings ?? defaultMappings().uid, 0) !== 0;
}

export function planMounts(config: NormalizedConfig): MountSpec[] {
  const ns = config.namespaces;
  if (!ns.isNew('mount')) return [];
  const ops: MountSpec[] = [];
  const hostRoot = config.rootfs === undefined;
  const idmap = idmapsHostMounts(config);
  if (hostRoot) {
    const extra = missingTopLevel(config.mounts);
    ops.push(extra.length ? { kind: MountKind.RootHost, target: '/', data: extra.join('/') } : { kind: MountKind.RootHost, target: '/' });
  } else
    ops.push({
      kind: MountKind.RootDir,
      source: config.rootfs,
      target: '/',
      flags: (config.readonlyRootfs ? MountFlag.Readonly : 0) | MountFlag.Nosuid | MountFlag.Nodev | (idmap ? MountFlag.Idmap : 0),
    });

  // A procfs for the container's pid namespace (new or joined); without one, the host's, read-only.
  if (ns.contains('pid')) ops.push({ kind: MountKind.Proc, target: '/proc' }); // new or joined
  else if (!hostRoot)
    ops.push({ kind: MountKind.Bind, source: '/proc', target: '/proc', flags: MountFlag.Recursive | MountFlag.Readonly });

  // Sized: an unsized tmpfs may take half of the host's memory (the size of /dev's shm
  // travels as the /dev operation's size).
  const { tmpBytes, runBytes, shmBytes } = config.limits;
  ops.push({ kind: MountKind.Dev, target: '/dev', size: shmBytes });
  ops.push({ kind: MountKind.Tmpfs, target: '/tmp', mode: 0o1777, size: tmpBytes, flags: MountFlag.Nosuid | MountFlag.Nodev });
  if (hostRoot) ops.push({ kind: MountKind.Tmpfs, target: '/run', mode: 0o755, size: runBytes, flags: MountFlag.Nosuid | MountFlag.Nodev });

  // sysfs shows the network devices of the namespace that mounts it.
  if (ns.isNew('net')) ops.push({ kind: MountKind.Sysfs, target: '/sys', flags: MountFlag.Readonly | MountFlag.Optional });
  else if (!hostRoot)
    ops.push({ kind: MountKind.Bind, source: '/sys', target: '/sys', flags: MountFlag.Recursive | MountFlag.Readonly });

  for (const m of config.mounts) ops.push(userMount(m, idmap));

  // Last: masks (a procfs mounted after one would be refused) and hidden credentials.
  ops.push(...procMasks('/proc'));
  ops.push(...sysMasks('/sys'));
  for (const m of config.mounts) {
    if (m.type === 'proc' && m.mask !== false) ops.push(...procMasks(m.target));
    if (m.type === 'sysfs' && m.mask !== false) ops.push(...sysMasks(m.target));
  }
  const hidden = hiddenHostPaths(config.hideCredentials, config.hidePaths);
  ops.push(...credentialMasks(hidden, { hostView: hostRoot, mounts: config.mounts, covered: ['/tmp', '/run', '/dev', '/proc', '/sys'] }));
  return ops;
}
