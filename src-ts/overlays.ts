/**
 * Overlays on the host side: the directories an upperDir needs before the container
 * exists (and the work dir overlayfs keeps next to it, removed at destroy()), and what
 * changes() makes of an upper layer, which only the source can tell: a path the source
 * has was modified (or, as a whiteout, deleted), one it lacks was added.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NormalizedConfig } from './config.js';
import type { Entry } from './file-agent.js';
import { defaultMappings, hostIdOf } from './idmap.js';
import { idmapsHostMounts, overlayWorkDir } from './mounts.js';

export interface Change {
  /** Inside the container. */
  path: string;
  kind: 'added' | 'modified' | 'deleted';
}

/** The overlays of a configuration in mount order (the order of their upper layers): writableRoot first. */
export function overlaysOf(config: NormalizedConfig): Array<{ source: string; target: string }> {
  const user = config.mounts.flatMap((m) => (m.type === 'overlay' ? [{ source: m.source, target: m.target }] : []));
  return config.writableRoot ? [{ source: '/', target: '/' }, ...user] : user;
}

/**
 * Makes each upperDir (if missing) and a fresh work dir next to it. For a root caller the
 * container's root is an unprivileged host id, which mounts the overlay and must be able
 * to write both: they are given to it (what the program changes lands owned by the
 * container's host ids, never by host root). Returns what removes the work dirs.
 */
export async function prepareUpperDirs(config: NormalizedConfig): Promise<() => Promise<void>> {
  const uppers = config.mounts.flatMap((m) => (m.type === 'overlay' && m.upperDir !== undefined ? [m.upperDir] : []));
  const works: string[] = [];
  const remove = async () => {
    for (const w of works.splice(0)) {
      // overlayfs leaves work/work mode 000.
      await fs.promises.chmod(path.join(w, 'work'), 0o700).catch(() => {});
      await fs.promises.rm(w, { recursive: true, force: true });
    }
  };
  if (uppers.length === 0) return remove;
  const owner = idmapsHostMounts(config) ? containerRootOnHost(config) : undefined;
  try {
    for (const upper of uppers) {
      await fs.promises.mkdir(upper, { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      const work = overlayWorkDir(upper);
      await fs.promises.rm(work, { recursive: true, force: true });
      await fs.promises.mkdir(work, { mode: 0o700 });
      works.push(work);
      if (owner) for (const d of [upper, work]) await fs.promises.chown(d, owner.uid, owner.gid);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return remove;
}

function containerRootOnHost(config: NormalizedConfig): { uid: number; gid: number } | undefined {
  const d = defaultMappings();
  const uid = hostIdOf(config.uidMappings ?? d.uid, 0);
  const gid = hostIdOf(config.gidMappings ?? d.gid, 0);
  return uid === undefined || gid === undefined || uid === 0 ? undefined : { uid, gid };
}

async function exists(p: string): Promise<boolean> {
  return fs.promises.lstat(p).then(
    () => true,
    () => false,
  );
}

/** An upper layer's entries ('/'-led paths within it) as the changes to `source` seen at `target`. */
export async function classify(entries: Entry[], overlay: { source: string; target: string }): Promise<Change[]> {
  const out: Change[] = [];
  const inside = (rel: string) => path.posix.join(overlay.target, rel);
  const upperPaths = new Set(entries.map((e) => e.path));
  for (const e of entries) {
    const host = path.posix.join(overlay.source, e.path);
    const inLower = await exists(host);
    if (e.kind === 'whiteout') {
      if (inLower) out.push({ path: inside(e.path), kind: 'deleted' });
    } else if (e.kind !== 'dir' || !inLower) {
      out.push({ path: inside(e.path), kind: inLower ? 'modified' : 'added' });
    } else if (e.opaque) {
      // Deleted and made again: whatever the source has below it is gone.
      out.push({ path: inside(e.path), kind: 'modified' });
      for (const name of await fs.promises.readdir(host).catch(() => [] as string[]))
        if (!upperPaths.has(`${e.path}/${name}`)) out.push({ path: inside(`${e.path}/${name}`), kind: 'deleted' });
    }
    // A directory of the source that only holds changes is not one itself.
  }
  return out;
}
