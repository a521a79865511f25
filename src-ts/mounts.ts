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
import * as path from 'node:path';
import { MountFlag, MountKind, type MountSpec } from './native.js';
import type { Mount, MountSafety, NormalizedConfig } from './config.js';
import { OVERLAY_UPPER_BYTES } from './config-filesystem.js';
import { defaultMappings, hostIdOf } from './idmap.js';
import { credentialMasks, hiddenHostPaths, procMasks, sysMasks } from './masks.js';
import { isUnder } from './config-filesystem.js';
import { planFixtures, type Place } from './fixtures.js';

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
    case 'overlay':
      return {
        kind: MountKind.Overlay,
        source: m.source,
        target: m.target,
        data: m.upperDir,
        workdir: m.upperDir === undefined ? undefined : overlayWorkDir(m.upperDir),
        size: m.upperDir === undefined ? (m.sizeBytes ?? OVERLAY_UPPER_BYTES) : undefined,
        // The lower layer like a bind (what host root owns, container root owns in the
        // copy); never the upper: see README, "Security model".
        flags: (m.readonly ? MountFlag.Readonly : 0) | ((m.idmap ?? idmapByDefault) ? MountFlag.Idmap : 0) | safetyFlags(m),
      };
  }
}

/** An overlay's work dir: next to its upperDir (overlayfs wants them on one file system), made and removed by Container. */
export function overlayWorkDir(upperDir: string): string {
  const n = upperDir.replace(/\/+$/, '');
  return path.posix.join(path.posix.dirname(n), `.${path.posix.basename(n)}.nsjail-ts-work`);
}

/** What a mount is to a fixture below it (fixtures.ts). */
function placeOf(m: Mount): Place {
  switch (m.type) {
    case 'bind':
      return { target: m.target, region: m.readonly ? 'readonly' : 'host', what: `the bind mount at ${m.target}` };
    case 'tmpfs':
      return { target: m.target, region: m.readonly ? 'readonly' : 'scratch', what: `the tmpfs at ${m.target}` };
    case 'overlay':
      return { target: m.target, region: m.readonly ? 'readonly' : 'writable', what: `the overlay at ${m.target}` };
    default:
      return { target: m.target, region: 'special', what: `the ${m.type} mount at ${m.target}` };
  }
}

/**
 * writableRoot: the host's file systems mounted below / (a separate /home, /boot, ...) are
 * not part of the overlay of its root file system; they stay read-only views.
 */
function hostSubmounts(): string[] {
  const covered = ['/proc', '/dev', '/sys', '/tmp', '/run'];
  const points: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const raw = line.split(' ')[4];
    if (!raw) continue;
    const mp = raw.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp === '/' || covered.some((c) => isUnder(mp, c)) || points.some((q) => isUnder(mp, q))) continue;
    points.push(mp);
  }
  return points;
}

/**
 * Top-level directories the user's mount targets need but the host lacks (/data, /work):
 * the read-only host root cannot grow them, so the root is then built as a skeleton
 * (src-native/setup/skeleton.cc) that has them.
 */
function missingTopLevel(targets: string[]): string[] {
  const out = new Set<string>();
  for (const t of targets) {
    const top = t.split('/').filter(Boolean)[0];
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
  const { tmpBytes, runBytes, shmBytes } = config.limits;
  const places: Place[] = [rootPlace(config)];
  const add = (op: MountSpec, place?: Place) => {
    ops.push(op);
    if (place) places.push(place);
  };

  // Where fixtures go: needs every mount's place, but its tmpfs mounts go before the user's.
  const scratch = (target: string): Place => ({ target, region: 'scratch', what: `the container's ${target}` });
  const special = (target: string): Place => ({ target, region: 'special', what: `the container's ${target}` });
  const defaults = [special('/proc'), special('/dev'), scratch('/tmp'), ...(hostRoot ? [scratch('/run')] : []), special('/sys')];
  const fixtures = planFixtures(config.files, [places[0], ...defaults, ...config.mounts.map(placeOf)], config.user, tmpBytes);

  if (config.writableRoot)
    add({ kind: MountKind.Overlay, source: '/', target: '/', size: config.writableRoot.sizeBytes, flags: MountFlag.Nosuid | MountFlag.Nodev | (idmap ? MountFlag.Idmap : 0) });
  else if (hostRoot) {
    const extra = missingTopLevel([...config.mounts.map((m) => m.target), ...fixtures.tmpfs.map((m) => m.target)]);
    add(extra.length ? { kind: MountKind.RootHost, target: '/', data: extra.join('/') } : { kind: MountKind.RootHost, target: '/' });
  } else
    add({
      kind: MountKind.RootDir,
      source: config.rootfs,
      target: '/',
      flags: (config.readonlyRootfs ? MountFlag.Readonly : 0) | MountFlag.Nosuid | MountFlag.Nodev | (idmap ? MountFlag.Idmap : 0),
    });

  // A procfs for the container's pid namespace (new or joined); without one, the host's, read-only.
  if (ns.contains('pid')) add({ kind: MountKind.Proc, target: '/proc' }); // new or joined
  else if (!hostRoot)
    add({ kind: MountKind.Bind, source: '/proc', target: '/proc', flags: MountFlag.Recursive | MountFlag.Readonly });

  // Sized: an unsized tmpfs may take half of the host's memory (the size of /dev's shm
  // travels as the /dev operation's size).
  add({ kind: MountKind.Dev, target: '/dev', size: shmBytes });
  add({ kind: MountKind.Tmpfs, target: '/tmp', mode: 0o1777, size: tmpBytes, flags: MountFlag.Nosuid | MountFlag.Nodev });
  if (hostRoot) add({ kind: MountKind.Tmpfs, target: '/run', mode: 0o755, size: runBytes, flags: MountFlag.Nosuid | MountFlag.Nodev });

  // sysfs shows the network devices of the namespace that mounts it.
  if (ns.isNew('net')) add({ kind: MountKind.Sysfs, target: '/sys', flags: MountFlag.Readonly | MountFlag.Optional });
  else if (!hostRoot)
    add({ kind: MountKind.Bind, source: '/sys', target: '/sys', flags: MountFlag.Recursive | MountFlag.Readonly });

  if (config.writableRoot)
    for (const mp of hostSubmounts())
      add({ kind: MountKind.Bind, source: mp, target: mp, flags: MountFlag.Recursive | MountFlag.Readonly | MountFlag.Nosuid | MountFlag.Nodev });
  ops.push(...fixtures.tmpfs);
  for (const m of config.mounts) add(userMount(m, idmap));
  ops.push(...fixtures.files);

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

function rootPlace(config: NormalizedConfig): Place {
  if (config.writableRoot) return { target: '/', region: 'writable', what: 'the writable root' };
  if (config.rootfs === undefined) return { target: '/', region: 'hostView', what: 'the read-only host view' };
  return { target: '/', region: config.readonlyRootfs ? 'readonly' : 'host', what: `the rootfs ${config.rootfs}` };
}
