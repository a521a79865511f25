/**
 * Inside a container engine (Docker, Podman, Kubernetes): what says we are in one, and the
 * engine's restrictions sandboxes run into, read from this process's own view of the
 * kernel (docs/ENGINES.md). For hints.ts (on a failure) and the doctor; never on the
 * success path.
 */
import * as fs from 'node:fs';
import { parseMountinfo } from './cgroups/detect.js';

export interface EngineView {
  /** What names an engine here: '/.dockerenv', '/run/.containerenv', 'container=podman', ... */
  markers: string[];
  /**
   * Paths under /proc with something mounted over them (an engine's masked and read-only
   * paths). The kernel then refuses a new procfs, the whole or `subset=pid` alike ("VFS:
   * Mount too revealing"), so a sandbox cannot have a pid namespace of its own.
   */
  maskedProc: string[];
  /** This process runs under a seccomp filter (an engine's profile, unless confined otherwise). */
  seccompFiltered: boolean;
  /**
   * This process's uid_map when it is not the initial user namespace's (a rootless engine,
   * or a user-namespaced pod): what ids a root caller's sandboxes can map.
   */
  uidMap?: Array<{ inside: number; outside: number; size: number }>;
}

function read(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Mount points below /proc, from mountinfo (field 5, with the kernel's octal escapes).
 * An empty directory of procfs may be mounted over without hiding anything, and the
 * kernel allows that: binfmt_misc's, which many hosts mount.
 */
export function procOvermounts(mountinfo: string): string[] {
  return parseMountinfo(mountinfo)
    .map((m) => m.mountPoint)
    .filter((target) => target.startsWith('/proc/') && target !== '/proc/sys/fs/binfmt_misc');
}

/** `0 0 4294967295` is the initial user namespace; anything else is a nested one. */
export function parseUidMap(text: string): EngineView['uidMap'] {
  const rows = text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r.length === 3 && r.every(Number.isFinite))
    .map(([inside, outside, size]) => ({ inside, outside, size }));
  const initial = rows.length === 1 && rows[0].inside === 0 && rows[0].outside === 0 && rows[0].size === 4294967295;
  return initial || rows.length === 0 ? undefined : rows;
}

/** Whether ids [start, start + size) are all mapped by `map`. */
export function mapsRange(map: NonNullable<EngineView['uidMap']>, start: number, size: number): boolean {
  return map.some((r) => start >= r.inside && start + size <= r.inside + r.size);
}

/** The ids a map has, contiguous rows joined: '0..65536'. */
export function idRanges(map: NonNullable<EngineView['uidMap']>): string {
  const rows = [...map].sort((a, b) => a.inside - b.inside);
  const spans: Array<[number, number]> = [];
  for (const r of rows) {
    const last = spans[spans.length - 1];
    if (last && r.inside === last[1] + 1) last[1] = r.inside + r.size - 1;
    else spans.push([r.inside, r.inside + r.size - 1]);
  }
  return spans.map(([a, b]) => `${a}..${b}`).join(', ');
}

export function engineView(): EngineView {
  const markers: string[] = [];
  if (fs.existsSync('/.dockerenv')) markers.push('/.dockerenv');
  if (fs.existsSync('/run/.containerenv')) markers.push('/run/.containerenv');
  if (process.env.container) markers.push(`container=${process.env.container}`);
  if (process.env.KUBERNETES_SERVICE_HOST) markers.push('KUBERNETES_SERVICE_HOST');
  const pid1 = (read('/proc/1/cgroup') ?? '').split('\n').find((l) => /docker|containerd|kubepods|libpod|crio/.test(l));
  if (pid1) markers.push(`PID 1's cgroup ${pid1.split(':').slice(2).join(':')}`);
  const status = read('/proc/self/status') ?? '';
  return {
    markers,
    maskedProc: procOvermounts(read('/proc/self/mountinfo') ?? ''),
    seccompFiltered: /^Seccomp:\s*2/m.test(status),
    uidMap: parseUidMap(read('/proc/self/uid_map') ?? ''),
  };
}

/** The engine named by the markers, for messages: 'Podman', 'Docker', 'Kubernetes' or 'a container engine'. */
export function engineName(view: EngineView): string {
  const m = view.markers.join(' ');
  if (/KUBERNETES|kubepods/.test(m)) return 'Kubernetes';
  if (/podman|containerenv|libpod/.test(m)) return 'Podman';
  if (/docker/.test(m)) return 'Docker';
  return 'a container engine';
}

/** The fixes for a masked /proc, per engine (docs/ENGINES.md). */
export const UNMASK_PROC =
  "run the engine with --security-opt systempaths=unconfined (Docker, Podman; Kubernetes: securityContext.procMount: Unmasked), or leave 'pid' out of namespaces (the sandbox then shares the engine's pid namespace and sees its /proc, read-only)";

/** The fix for an engine's seccomp profile. */
export const UNCONFINE_SECCOMP = 'run the engine with --security-opt seccomp=unconfined (Kubernetes: securityContext.seccompProfile.type: Unconfined)';
