/**
 * Joining a running container's namespaces through the fds the addon's reactor holds
 * for it (sent by its stage 2 at creation), never by re-opening /proc/<pid>/ns/*: that
 * path may name another process once the pid is recycled, and for a rootless owner the
 * kernel refuses it anyway (the container's init is not dumpable and its memory belongs
 * to the host's user namespace, so that nothing inside can ptrace it).
 *
 * A spawn that names a container (`join`) gets copies of its fds after its extra fds;
 * the bootstrap then names them /proc/self/fd/N.
 */
import type { Instance } from './instance.js';
import { native } from './native.js';
import { Namespaces, type NamespaceType } from './namespaces.js';

/** Containers of this process whose init is running, by host pid of the init. */
const live = new Map<number, Instance>();

export function registerLive(pid: number, instance: Instance): void {
  live.set(pid, instance);
  void instance.exited.finally(() => {
    if (live.get(pid) === instance) live.delete(pid);
  });
}

/**
 * The path stage 1 opens for `type` when the spawn joins `instance` (undefined: not held);
 * `locked`: the nested namespace of a container whose mounts are locked.
 */
export function heldPath(instance: Instance, type: NamespaceType, extraFds: number, locked = false): string | undefined {
  const list = locked ? instance.lockedNamespaces : instance.heldNamespaces;
  const i = list.indexOf(Namespaces.procName(type));
  if (i < 0) return undefined;
  return `/proc/self/fd/${native.firstExtraFd + extraFds + (locked ? instance.heldNamespaces.length : 0) + i}`;
}

/**
 * For a join of a locked container: its mount namespace is the nested one, joined after
 * the nested user namespace (which is itself joined after everything else).
 */
export function nestedPaths(instance: Instance, extraFds: number): Array<{ type: string; path: string }> {
  return (['user', 'mount'] as const).flatMap((t) => {
    const p = heldPath(instance, t, extraFds, true);
    return p ? [{ type: Namespaces.procName(t), path: p }] : [];
  });
}

const PROC_NS = /^\/proc\/(\d+)\/ns\/([a-z]+)$/;

/**
 * A configuration's namespace paths that name a container of ours (/proc/<its pid>/ns/…,
 * as `Container.namespaces` gives them) are rewritten to go through its held fds. One
 * container per spawn: paths into others stay as they are.
 */
export function joinOwnContainers(ns: Namespaces, extraFds: number): { namespaces: Namespaces; join?: number } {
  let target: Instance | undefined;
  const out = new Namespaces();
  for (const e of ns) {
    const m = e.path === undefined ? null : PROC_NS.exec(e.path);
    const owner = m ? live.get(Number(m[1])) : undefined;
    if (owner && m![2] === Namespaces.procName(e.type) && (target === undefined || target === owner)) {
      const held = heldPath(owner, e.type, extraFds);
      if (held) {
        target = owner;
        out.add(e.type, held);
        continue;
      }
    }
    out.add(e.type, e.path);
  }
  return target ? { namespaces: out, join: target.handle } : { namespaces: ns };
}
