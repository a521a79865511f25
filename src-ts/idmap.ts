/**
 * uid/gid maps for a new user namespace. By default a normal caller's euid/egid become 0
 * inside, which any user may write. A root caller's do not: host uid 0 keeps powers the
 * kernel grants by uid alone (writing sysctls, RLIMIT_NPROC exemption, owning the host's
 * files), so by default container ids 0..65535 map to an unprivileged host range: root's
 * own in /etc/subuid and /etc/subgid, or DEFAULT_ROOT_RANGE. Anything more (several
 * ranges, or another host id) needs privilege: root writes it directly, anyone else
 * through the setuid helpers newuidmap/newgidmap and a range in /etc/subuid and /etc/subgid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { mapsId, type IdMapping, type NormalizedConfig } from './config.js';

export interface IdMapPlan {
  uidMap: string;
  gidMap: string;
  uidMapPath?: string;
  gidMapPath?: string;
  setgroups: boolean;
  rootlessEuid: boolean;
}

function mapText(m: IdMapping[]): string {
  return m.map((r) => `${r.containerId} ${r.hostId} ${r.size}\n`).join('');
}

function isSelfMap(m: IdMapping[], self: number): boolean {
  return m.length === 1 && m[0].hostId === self && m[0].size === 1;
}

const helperCache = new Map<string, string | null>();
/** An executable on PATH or in the system directories (newuidmap, newgidmap), or null. */
export function findHelper(name: string): string | null {
  if (helperCache.has(name)) return helperCache.get(name)!;
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/bin', '/usr/sbin', '/sbin']);
  let found: string | null = null;
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      found = p;
      break;
    } catch {
      // keep looking
    }
  }
  helperCache.set(name, found);
  return found;
}

/**
 * Where a root caller's containers live on the host when /etc/subuid has no range for
 * root: the last 64 Ki block of systemd's range for container ids (524288..1879048191),
 * owned by no real user.
 */
export const DEFAULT_ROOT_RANGE = { hostId: 0x6fff0000, size: 65536 } as const;

// Every start of a root caller asks; the files rarely change. A change shows in their
// stat (a stat is a tenth of a read and parse).
const rangeCache = new Map<string, { key: string; range: { hostId: number; size: number } | undefined }>();

/** root's first range in /etc/subuid (or /etc/subgid), capped at 65536 ids. */
function rootRange(file: string): { hostId: number; size: number } | undefined {
  const st = fs.statSync(file, { throwIfNoEntry: false, bigint: true });
  const key = st ? `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : 'missing';
  const cached = rangeCache.get(file);
  if (cached?.key === key) return cached.range;
  const range = readRootRange(file);
  rangeCache.set(file, { key, range });
  return range;
}

function readRootRange(file: string): { hostId: number; size: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, start, count] = line.trim().split(':');
    if ((name === 'root' || name === '0') && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '') && Number(count) > 0)
      return { hostId: Number(start), size: Math.min(Number(count), 65536) };
  }
  return undefined;
}

/** The default maps: the caller as root (normal caller), or a whole unprivileged range (root caller). */
export function defaultMappings(): { uid: IdMapping[]; gid: IdMapping[] } {
  const euid = process.geteuid!();
  if (euid !== 0) return { uid: [{ containerId: 0, hostId: euid, size: 1 }], gid: [{ containerId: 0, hostId: process.getegid!(), size: 1 }] };
  const u = rootRange('/etc/subuid') ?? DEFAULT_ROOT_RANGE;
  const g = rootRange('/etc/subgid') ?? DEFAULT_ROOT_RANGE;
  return { uid: [{ containerId: 0, ...u }], gid: [{ containerId: 0, ...g }] };
}

/** The host uid that container root is, or undefined when root is not mapped. */
export function hostIdOf(mappings: IdMapping[], id: number): number | undefined {
  const m = mappings.find((r) => id >= r.containerId && id < r.containerId + r.size);
  return m === undefined ? undefined : m.hostId + (id - m.containerId);
}

export function planIdMaps(config: NormalizedConfig): IdMapPlan {
  const euid = process.geteuid!();
  const egid = process.getegid!();
  const rootless = euid !== 0;
  const defaults = defaultMappings();
  const uid = config.uidMappings ?? defaults.uid;
  const gid = config.gidMappings ?? defaults.gid;

  const helperNeeded = (m: IdMapping[], self: number) => rootless && !isSelfMap(m, self);
  const plan: IdMapPlan = { uidMap: mapText(uid), gidMap: mapText(gid), setgroups: !rootless, rootlessEuid: rootless };
  if (helperNeeded(uid, euid)) {
    const p = findHelper('newuidmap');
    if (!p)
      throw new ConfigError('uidMappings', 'maps more than your own uid, which needs newuidmap (install the uidmap package) and a range in /etc/subuid');
    plan.uidMapPath = p;
  }
  if (helperNeeded(gid, egid)) {
    const p = findHelper('newgidmap');
    if (!p)
      throw new ConfigError('gidMappings', 'maps more than your own gid, which needs newgidmap (install the uidmap package) and a range in /etc/subgid');
    plan.gidMapPath = p;
    plan.setgroups = true; // newgidmap decides; setgroups stays allowed
  }

  if (!mapsId(uid, config.user.uid))
    throw new ConfigError('user.uid', `${config.user.uid} is not mapped by uidMappings`);
  if (!mapsId(gid, config.user.gid))
    throw new ConfigError('user.gid', `${config.user.gid} is not mapped by gidMappings`);
  config.user.additionalGids.forEach((g, i) => {
    if (!mapsId(gid, g)) throw new ConfigError(`user.additionalGids[${i}]`, `${g} is not mapped by gidMappings`);
  });
  if (config.user.additionalGids.length > 0 && !plan.setgroups)
    throw new ConfigError(
      'user.additionalGids',
      'needs setgroups(2), which the kernel denies to an unprivileged user namespace with a single gid map; give gidMappings (with newgidmap)',
    );
  return plan;
}
