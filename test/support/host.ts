/**
 * What the calling process looks like from the host: its children, its fds, the host's
 * mounts. Tests compare before and after to prove nothing was left behind.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirOf, hierarchiesFrom, parseMountinfo, parseProcCgroup } from '../../dist/cgroups/detect.js';
import * as path from 'node:path';
// The library's own instance of the module (the one dist/index.js requires), not a copy
// of vitest's: it holds the spares.
const libraryRequire = createRequire(import.meta.url);
const { spareDirs } = libraryRequire('../../dist/cgroups/spare.js') as typeof import('../../dist/cgroups/spare.js');
const { sweepsDone } = libraryRequire('../../dist/cgroups/cleanup.js') as typeof import('../../dist/cgroups/cleanup.js');

/** Pids of every child of this process (all threads: stages are children of the reactor's caller thread). */
export function childPids(pid = process.pid): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    } catch {
      // thread gone
    }
  }
  return out;
}

/** The resident stage 0 (src-native/nsexec/zygote.cc) among our children, if any. */
export function zygotePids(parent = process.pid): number[] {
  return childPids(parent).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nsj:[zygote]' && processExists(pid);
    } catch {
      return false;
    }
  });
}

/** Whether `pid` is still a process of ours, zombie or not (a zombie is one nobody reaped). */
export function isChild(pid: number): boolean {
  return childPids().includes(pid);
}

/** Open fds of this process, with what they point to. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(fd), fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the fd of readdir itself
    }
  }
  return out;
}

export function mountTable(): string {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8');
}

export function processExists(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Waits (polling) until fn() is true or the time is up. */
export async function eventually(fn: () => boolean | Promise<boolean>, ms = 2000, step = 10): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return fn();
}

/** The cgroup hierarchies and where `cgroupText` (a /proc/<pid>/cgroup, ours by default) sits in them. */
export function hostHierarchies(cgroupText = fs.readFileSync('/proc/self/cgroup', 'utf8')) {
  return hierarchiesFrom(parseMountinfo(mountTable()), parseProcCgroup(cgroupText));
}

/**
 * The cgroups this process made and has not removed (nsjail-ts-<pid ns>-<our pid>-...),
 * under its own cgroup in each hierarchy and under the delegated parents.
 */
export function ownCgroups(): string[] {
  const host = hostHierarchies();
  const parents = [host.v2, ...host.v1].flatMap((h) => (h?.caller ? [dirOf(h, h.caller)] : [])).filter((d): d is string => d !== undefined);
  parents.push(...(process.env.NSJAIL_TS_CGROUP_PARENT?.split(',').filter(Boolean) ?? []));
  const ours = new RegExp(`^nsjail-ts-\\d+-${process.pid}-`);
  const out = new Set<string>();
  for (const parent of parents) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(parent);
    } catch {
      // not there, or not ours to read
    }
    for (const n of names) if (ours.test(n)) out.add(path.join(parent, n));
  }
  return [...out].sort();
}

/** A snapshot of what the process owns; `leaks(before)` lists what is new since. */
export function snapshot() {
  return { children: childPids(), fds: openFds(), mounts: mountTable(), cgroups: ownCgroups() };
}

export async function leaks(before: ReturnType<typeof snapshot>): Promise<string[]> {
  const problems: string[] = [];
  // Children are reaped asynchronously by the reactor: give it a moment.
  await eventually(() => childPids().filter((p) => !before.children.includes(p)).length === 0, 2000);
  const kids = childPids().filter((p) => !before.children.includes(p));
  if (kids.length) problems.push(`child processes left: ${kids.join(', ')}`);
  // The sweep of a dead owner's cgroups (another test process's, killed at the end of its
  // file with the cgroups it had made ahead) reads their files in the background.
  await sweepsDone();
  // Call after one container has run, so the per-process reactor (an epoll and an
  // eventfd, made once) is already in `before`.
  for (const [fd, target] of openFds()) if (!before.fds.has(fd)) problems.push(`fd ${fd} -> ${target} left open`);
  if (mountTable() !== before.mounts) problems.push('the host mount table changed');
  // The cgroups made ahead for the next start are kept, not left (src-ts/cgroups/spare.ts).
  const kept = await spareDirs();
  for (const dir of ownCgroups()) if (!before.cgroups.includes(dir) && !kept.includes(dir)) problems.push(`cgroup ${dir} left`);
  return problems;
}

export const isRoot = process.geteuid!() === 0;

/** Host pids of every process in the pid namespace of `pid` (scanning /proc). */
export function pidsInNamespaceOf(pid: number): number[] {
  let target: string;
  try {
    target = fs.readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (fs.readlinkSync(`/proc/${p}/ns/pid`) === target) out.push(Number(p));
    } catch {
      // gone, or not ours to look at
    }
  }
  return out;
}

/** A temporary directory every user (the container's root included) may write. */
export function sharedDir(): { path: string; remove(): void } {
  const dir = fs.mkdtempSync('/tmp/nsjail-ts-bind-');
  fs.chmodSync(dir, 0o777);
  return { path: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The directories of the cgroups nsjail-ts made that `pid` is in (from /proc/<pid>/cgroup
 * and the mount table), one per hierarchy.
 */
export function nsjailCgroupsOf(pid: number): string[] {
  let lines: string;
  try {
    lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return [];
  }
  const host = hostHierarchies(lines);
  return [host.v2, ...host.v1]
    .filter((h) => h?.caller?.includes('/nsjail-ts-'))
    .map((h) => dirOf(h!, h!.caller!)!)
    .sort();
}

/** A minimal rootfs: the host's /usr read-only, and the merged-/usr symlinks next to it. */
export function makeRootfs(): { dir: string; config: { rootfs: string; mounts: Array<{ type: 'bind'; source: string; target: string; readonly: boolean }> }; remove(): void } {
  const d = sharedDir();
  fs.mkdirSync(path.join(d.path, 'usr'));
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) {
    const host = fs.lstatSync(`/${l}`, { throwIfNoEntry: false });
    if (host?.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(`/${l}`), path.join(d.path, l));
    else if (host?.isDirectory()) fs.mkdirSync(path.join(d.path, l));
  }
  const mounts = [{ type: 'bind' as const, source: '/usr', target: '/usr', readonly: true }];
  for (const l of ['bin', 'lib', 'lib64', 'sbin'])
    if (fs.lstatSync(`/${l}`, { throwIfNoEntry: false })?.isDirectory() && !fs.lstatSync(`/${l}`).isSymbolicLink())
      mounts.push({ type: 'bind', source: `/${l}`, target: `/${l}`, readonly: true });
  return { dir: d.path, config: { rootfs: d.path, mounts }, remove: d.remove };
}
