/**
 * Which cgroup hierarchies this machine has, where they are mounted, and where the caller
 * sits in each: cgroup v2 (one unified hierarchy), v1 (one per controller or group of
 * controllers), or both ("hybrid", like the development machine of this project:
 * memory, pids and cpu on v1, a controller-less v2 beside them).
 *
 * Read from /proc/self/mountinfo and /proc/self/cgroup, asynchronously, and kept for a
 * few seconds: every container with limits needs it, and it rarely changes.
 */
import * as path from 'node:path';
import { cached, readText } from './files.js';

export interface Hierarchy {
  version: 1 | 2;
  /** v1: the controllers bound to it. v2: none here (they are per cgroup: cgroup.subtree_control). */
  controllers: readonly string[];
  /** Where it is mounted. */
  mount: string;
  /** The cgroup the mount shows at its mount point: '/' unless a sub-tree is mounted (a container engine's). */
  root: string;
  /** Mounted read-only (as Docker and Kubernetes do without privileges). */
  readonly: boolean;
  /** The caller's cgroup in it, as /proc/self/cgroup names it; undefined if it names none. */
  caller?: string;
}

export interface CgroupHost {
  v2?: Hierarchy;
  v1: Hierarchy[];
}

/** The kernel's v1 controllers (a v1 mount's options name those bound to it). */
const V1_CONTROLLERS = new Set(['cpuset', 'cpu', 'cpuacct', 'blkio', 'io', 'memory', 'devices', 'freezer', 'net_cls', 'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc']);

export interface MountEntry {
  root: string;
  mountPoint: string;
  options: string[];
  fstype: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** /proc/<pid>/mountinfo (proc(5)): id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || f.length < dash + 4) continue;
    out.push({
      root: unescape(f[3]),
      mountPoint: unescape(f[4]),
      options: f[5].split(','),
      fstype: f[dash + 1],
      superOptions: f[dash + 3].split(','),
    });
  }
  return out;
}

export interface CgroupLine {
  /** 0 for v2. */
  id: number;
  /** v1: the controllers ("cpu,cpuacct"), or "name=systemd"; v2: empty. */
  controllers: string[];
  path: string;
}

/** /proc/<pid>/cgroup (cgroups(7)): hierarchy-ID:controller-list:cgroup-path */
export function parseProcCgroup(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const list = line.slice(a + 1, b);
    out.push({ id: Number(line.slice(0, a)), controllers: list ? list.split(',') : [], path: line.slice(b + 1) });
  }
  return out;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** The hierarchies of a mount table, with the caller's place in each (first mount of each wins). */
export function hierarchiesFrom(mounts: MountEntry[], lines: CgroupLine[]): CgroupHost {
  const host: CgroupHost = { v1: [] };
  const v2line = lines.find((l) => l.id === 0 && l.controllers.length === 0);
  for (const m of mounts) {
    if (m.fstype === 'cgroup2') {
      if (host.v2) continue;
      host.v2 = { version: 2, controllers: [], mount: m.mountPoint, root: m.root, readonly: m.options.includes('ro'), caller: v2line?.path };
    } else if (m.fstype === 'cgroup') {
      const controllers = m.superOptions.filter((o) => V1_CONTROLLERS.has(o));
      if (controllers.length === 0 || host.v1.some((h) => sameSet(h.controllers, controllers))) continue;
      const line = lines.find((l) => l.id !== 0 && sameSet(l.controllers, controllers));
      host.v1.push({ version: 1, controllers, mount: m.mountPoint, root: m.root, readonly: m.options.includes('ro'), caller: line?.path });
    }
  }
  return host;
}

/** The v1 hierarchy a controller is bound to. */
export function v1Of(host: CgroupHost, controller: string): Hierarchy | undefined {
  return host.v1.find((h) => h.controllers.includes(controller));
}

/** The directory of a cgroup path in a hierarchy; undefined if the mount does not show it. */
export function dirOf(h: Hierarchy, cgroupPath: string): string | undefined {
  const rel = h.root === '/' ? cgroupPath : cgroupPath === h.root ? '/' : cgroupPath.startsWith(`${h.root}/`) ? cgroupPath.slice(h.root.length) : undefined;
  if (rel === undefined) return undefined;
  return rel === '/' ? h.mount : path.join(h.mount, rel);
}

/** The hierarchy a directory is in (the longest mount point that holds it), and its cgroup path there. */
export function locate(host: CgroupHost, dir: string): { hierarchy: Hierarchy; cgroupPath: string } | undefined {
  let best: Hierarchy | undefined;
  for (const h of [...(host.v2 ? [host.v2] : []), ...host.v1])
    if ((dir === h.mount || dir.startsWith(`${h.mount}/`)) && (!best || h.mount.length > best.mount.length)) best = h;
  if (!best) return undefined;
  return { hierarchy: best, cgroupPath: path.posix.join(best.root, dir.slice(best.mount.length) || '/') };
}

/** The hierarchies and the caller's place in them (cached for a few seconds). */
export function detectHost(): Promise<CgroupHost> {
  return cached('host', () =>
    Promise.all([readText('/proc/self/mountinfo'), readText('/proc/self/cgroup')]).then(([m, c]) => hierarchiesFrom(parseMountinfo(m), parseProcCgroup(c))),
  );
}
