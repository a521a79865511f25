/**
 * What to do when a cgroup limit cannot be enforced here: the exact commands that give
 * the caller a delegated parent, or turn a controller on, and what a container engine
 * does in the way (a cgroup namespace, a read-only cgroupfs). Only on the failure path.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Hierarchy } from './detect.js';
import { V1_FILES } from './v1.js';
import { V2_FILES } from './v2.js';

/** A directory to make and hand over to the caller, in one hierarchy. */
export interface Delegation {
  hierarchy: Hierarchy;
  /** The parent we tried (or would try) to create cgroups in. */
  parent: string;
}

async function exists(p: string): Promise<boolean> {
  return fs.promises.access(p).then(
    () => true,
    () => false,
  );
}

/** Docker, Podman or Kubernetes, when we seem to run in one. */
export async function containerEngine(): Promise<string | undefined> {
  if (process.env.KUBERNETES_SERVICE_HOST) return 'Kubernetes';
  if (await exists('/.dockerenv')) return 'Docker';
  if (await exists('/run/.containerenv')) return 'Podman';
  return undefined;
}

/**
 * The commands (for root) that delegate a directory in each hierarchy to this user, and
 * the variable that points nsjail-ts at them. The kernel's delegation model
 * (cgroup-v2.rst, "Delegation"): the directory and its cgroup.procs belong to the user
 * (v2: also cgroup.threads and cgroup.subtree_control; v1: tasks, which stage 0 writes).
 */
export function delegationCommand(targets: Delegation[]): string {
  const uid = process.getuid!();
  const gid = process.getgid!();
  const user = os.userInfo().username;
  const name = `nsjail-ts-${user}`;
  const dirs = targets.map((t) => `${t.parent.replace(/\/+$/, '')}/${name}`);
  const steps = targets.map((t, i) => {
    const d = dirs[i];
    const files = t.hierarchy.version === 2 ? [V2_FILES.procs, V2_FILES.threads, V2_FILES.subtreeControl] : [V2_FILES.procs, V1_FILES.tasks];
    return `mkdir -p ${d} && chown ${uid}:${gid} ${d} ${files.map((f) => `${d}/${f}`).join(' ')}`;
  });
  const v2 = dirs[targets.findIndex((t) => t.hierarchy.version === 2)];
  // CLONE_INTO_CGROUP needs the caller inside the delegated v2 subtree.
  const start = v2
    ? `; and start the program (as root) in a leaf of it: mkdir ${v2}/caller; sh -c 'echo $$ > ${v2}/caller/cgroup.procs && exec runuser -u ${user} -- env NSJAIL_TS_CGROUP_PARENT=${dirs.join(',')} node app.js'`
    : `; then export NSJAIL_TS_CGROUP_PARENT=${dirs.join(',')}`;
  return `as root: ${steps.join(' && ')}${start}`;
}

/**
 * cgroup v2 with systemd: the user's own delegated scope, and a leaf for the caller (the
 * no-internal-processes rule keeps controllers out of a cgroup with processes in it).
 */
export const SYSTEMD_V2_COMMAND =
  "systemd-run --user --scope -p Delegate=yes sh -c 'cg=/sys/fs/cgroup$(cut -d: -f3 /proc/self/cgroup); " +
  'mkdir $cg/caller && echo $$ > $cg/caller/cgroup.procs && echo "+memory +pids +cpu" > $cg/cgroup.subtree_control && ' +
  "NSJAIL_TS_CGROUP_PARENT=$cg exec node app.js'";

/**
 * What gives a container of an engine a writable cgroup file system it can find itself
 * in. Where cgroups are v1 or hybrid (a hierarchy other than v2 at /sys/fs/cgroup), the
 * host's tree bound writable in the host's cgroup namespace (run with Docker 20.10 and
 * Podman 4.3 on a hybrid machine; the bind in a private cgroup namespace hides the
 * caller's cgroup). On pure v2, a private cgroup namespace with a writable cgroup2 (not
 * run here: docs/ENGINES.md).
 */
function engineCgroupFix(h: Hierarchy): string {
  return h.version === 1 || h.mount !== '/sys/fs/cgroup'
    ? "run it with --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw (or --privileged), or use limits.enforce: 'best-effort'"
    : "run it with --cgroupns=private and a writable /sys/fs/cgroup (--privileged; a rootless engine delegates the container's cgroup), or use limits.enforce: 'best-effort'";
}

/** Why a hierarchy's cgroup file system cannot be written, and what changes that. */
export async function readOnlyHint(h: Hierarchy): Promise<string> {
  const engine = await containerEngine();
  const where = engine ? `${engine} mounts ${h.mount} read-only` : `${h.mount} is mounted read-only`;
  const how =
    engine === 'Kubernetes'
      ? 'give the pod a writable cgroup file system (a privileged container, or a runtime that delegates the cgroup), or use limits.enforce: \'best-effort\''
      : engine
        ? engineCgroupFix(h)
        : `remount it read-write (mount -o remount,rw ${h.mount}) or use limits.enforce: 'best-effort'`;
  return `${where}: ${how}`;
}

/** The caller's cgroup is not under the mount: a cgroup namespace or a mounted sub-tree hides it. */
export async function hiddenHint(h: Hierarchy): Promise<string> {
  const engine = await containerEngine();
  return (
    `the caller's cgroup (${h.caller ?? 'none listed'}) is not visible under ${h.mount} (mounted from ${h.root})` +
    (engine ? `: ${engine}'s cgroup namespace and mounts do not match; ${engineCgroupFix(h)}` : '') +
    '; or name a parent with limits.cgroupParent or NSJAIL_TS_CGROUP_PARENT'
  );
}

/** A controller the v2 parent does not enable for its children. */
export function controllerCommand(parent: string, controllers: string[]): string {
  return (
    `echo "${controllers.map((c) => `+${c}`).join(' ')}" > ${parent}/${V2_FILES.subtreeControl} ` +
    '(its own parent must enable them too, and a cgroup with processes in it cannot: give the caller a leaf of its own, ' +
    `e.g. ${SYSTEMD_V2_COMMAND})`
  );
}
