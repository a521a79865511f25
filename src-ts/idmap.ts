/**
 * uid/gid maps for a new user namespace. By default the caller's euid/egid become 0
 * inside, which any user may write. Anything more (several ranges, or another host id)
 * needs privilege: root writes it directly, anyone else through the setuid helpers
 * newuidmap/newgidmap and a range in /etc/subuid and /etc/subgid.
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
function findHelper(name: string): string | null {
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

export function planIdMaps(config: NormalizedConfig): IdMapPlan {
  const euid = process.geteuid!();
  const egid = process.getegid!();
  const rootless = euid !== 0;
  const uid = config.uidMappings ?? [{ containerId: 0, hostId: euid, size: 1 }];
  const gid = config.gidMappings ?? [{ containerId: 0, hostId: egid, size: 1 }];

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
