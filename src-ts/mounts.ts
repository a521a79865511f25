/**
 * The mount plan: the default sandbox filesystem plus the user's mounts, as the ordered
 * operations the init program carries out inside the new root (src-native/init/rootfs.cc).
 *
 * Default (no rootfs): the host's / read-only (recursively, nosuid, nodev), a private
 * /proc for the new pid namespace, a minimal /dev, private tmpfs /tmp and /run (the
 * host's /run holds sockets of the caller's session: D-Bus, container engines), and a
 * fresh read-only /sys when the net namespace is new.
 */
import * as fs from 'node:fs';
import { MountFlag, MountKind, type MountSpec } from './native.js';
import type { Mount, NormalizedConfig } from './config.js';

function userMount(m: Mount): MountSpec {
  switch (m.type) {
    case 'bind':
      return {
        kind: MountKind.Bind,
        source: m.source,
        target: m.target,
        flags: (m.readonly ? MountFlag.Readonly : 0) | (m.recursive === false ? 0 : MountFlag.Recursive) | MountFlag.Nodev,
      };
    case 'tmpfs':
      return {
        kind: MountKind.Tmpfs,
        target: m.target,
        mode: m.mode ?? 0o755,
        size: m.sizeBytes,
        flags: (m.readonly ? MountFlag.Readonly : 0) | MountFlag.Nosuid | MountFlag.Nodev,
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
 * (src-native/init/skeleton.cc) that has them.
 */
function missingTopLevel(mounts: Mount[]): string[] {
  const out = new Set<string>();
  for (const m of mounts) {
    const top = m.target.split('/').filter(Boolean)[0];
    if (top && !fs.existsSync(`/${top}`)) out.add(top);
  }
  return [...out];
}

export function planMounts(config: NormalizedConfig): MountSpec[] {
  const ns = config.namespaces;
  if (!ns.isNew('mount')) return [];
  const ops: MountSpec[] = [];
  const hostRoot = config.rootfs === undefined;
  if (hostRoot) {
    const extra = missingTopLevel(config.mounts);
    ops.push(extra.length ? { kind: MountKind.RootHost, target: '/', data: extra.join('/') } : { kind: MountKind.RootHost, target: '/' });
  } else
    ops.push({
      kind: MountKind.RootDir,
      source: config.rootfs,
      target: '/',
      flags: config.readonlyRootfs ? MountFlag.Readonly : 0,
    });

  // A procfs for the container's pid namespace (new or joined); without one, the host's, read-only.
  if (ns.contains('pid')) ops.push({ kind: MountKind.Proc, target: '/proc' }); // new or joined
  else if (!hostRoot)
    ops.push({ kind: MountKind.Bind, source: '/proc', target: '/proc', flags: MountFlag.Recursive | MountFlag.Readonly });

  ops.push({ kind: MountKind.Dev, target: '/dev' });
  ops.push({ kind: MountKind.Tmpfs, target: '/tmp', mode: 0o1777, flags: MountFlag.Nosuid | MountFlag.Nodev });
  if (hostRoot) ops.push({ kind: MountKind.Tmpfs, target: '/run', mode: 0o755, flags: MountFlag.Nosuid | MountFlag.Nodev });

  // sysfs shows the network devices of the namespace that mounts it.
  if (ns.isNew('net')) ops.push({ kind: MountKind.Sysfs, target: '/sys', flags: MountFlag.Readonly | MountFlag.Optional });
  else if (!hostRoot)
    ops.push({ kind: MountKind.Bind, source: '/sys', target: '/sys', flags: MountFlag.Recursive | MountFlag.Readonly });

  for (const m of config.mounts) ops.push(userMount(m));
  return ops;
}
