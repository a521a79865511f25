/**
 * When the environment, not the configuration, is at fault (user namespaces disabled,
 * Ubuntu's AppArmor restriction, no newuidmap, a container engine's masked /proc or
 * seccomp profile), say how to fix it. Runs only on the failure path.
 */
import * as fs from 'node:fs';
import { engineName, engineView, idRanges, mapsRange, UNCONFINE_SECCOMP, UNMASK_PROC } from './engine.js';
import { describeErrno, type Stage } from './errors.js';
import { defaultMappings } from './idmap.js';

function readSysctl(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * System calls a container engine's seccomp profile refuses (Docker's and Podman's allow
 * them only to a container granted CAP_SYS_ADMIN) although the sandbox's own namespaces
 * would permit them.
 */
const ENGINE_FILTERED = new Set(['sethostname', 'pivot_root', 'mount', 'umount2', 'open_tree', 'move_mount', 'mount_setattr', 'fsopen', 'fsconfig', 'fsmount', 'setns', 'unshare']);

function userNamespaceHint(): string {
  const why: string[] = [];
  if (readSysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0')
    why.push('unprivileged user namespaces are disabled: sysctl -w kernel.unprivileged_userns_clone=1');
  if (readSysctl('/proc/sys/user/max_user_namespaces') === '0')
    why.push('user.max_user_namespaces is 0: sysctl -w user.max_user_namespaces=15000');
  if (readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1')
    why.push(
      'AppArmor restricts unprivileged user namespaces (Ubuntu 23.10+): sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, ' +
        "or load an AppArmor profile that grants 'userns' to node",
    );
  const engine = engineView();
  if (engine.seccompFiltered)
    why.push(`this process runs under a seccomp filter (${engineName(engine)}'s profile) that refuses new namespaces: ${UNCONFINE_SECCOMP}`);
  if (why.length === 0) why.push('the kernel refused to create a user namespace; check kernel.unprivileged_userns_clone, user.max_user_namespaces and any LSM policy');
  return `User namespaces are unavailable here: ${why.join('; ')}`;
}

/** A root caller in a user namespace (a rootless engine) whose map lacks the ids its sandboxes map by default. */
function nestedRootHint(): string | undefined {
  const { uidMap } = engineView();
  if (process.geteuid!() !== 0 || !uidMap) return undefined;
  const want = defaultMappings().uid[0];
  if (mapsRange(uidMap, want.hostId, want.size)) return undefined;
  const have = idRanges(uidMap);
  return (
    `this process is root in a user namespace that has only ids ${have} (a rootless container engine), and a root caller's sandboxes ` +
    `map their ids 0..${want.size - 1} to ${want.hostId}..${want.hostId + want.size - 1} by default: set uidMappings and gidMappings ` +
    `within it (e.g. [{ containerId: 0, hostId: 1, size: 65536 }]), or run the engine's container as a normal user (--user 1000)`
  );
}

/** EPERM from a call a container engine's seccomp profile refuses. */
function engineFilterHint(syscall: string): string | undefined {
  const engine = engineView();
  if (!engine.seccompFiltered) return undefined;
  const hostname = syscall === 'sethostname' ? "; or leave hostname unset (the default is left out, with a warning, where it cannot be set)" : '';
  return `this process runs under a seccomp filter (${engineName(engine)}'s profile) that refuses ${syscall}, although the sandbox's own namespaces permit it: ${UNCONFINE_SECCOMP}${hostname}`;
}

export function diagnose(rec: { errno: number; syscall?: string; stage?: Stage; path?: string; detail?: string }): string | undefined {
  const { code } = describeErrno(rec.errno);
  const detail = rec.detail ?? '';
  if (rec.syscall === 'unshare' && detail.includes('user namespace') && ['EPERM', 'EACCES', 'ENOSPC', 'EINVAL', 'EUSERS'].includes(code))
    return userNamespaceHint();
  if (rec.syscall === 'unshare' && code === 'EPERM' && process.geteuid!() !== 0)
    return "creating namespaces without root needs the 'user' namespace in the configuration";
  if (rec.syscall === 'uid_map' && (code === 'EPERM' || code === 'EACCES'))
    return readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1'
      ? userNamespaceHint()
      : (nestedRootHint() ??
          'the kernel refused the uid/gid map: unprivileged callers may map only their own ids unless newuidmap/newgidmap and /etc/subuid, /etc/subgid allow more');
  if (rec.syscall === 'setns' && code === 'EPERM' && !engineView().seccompFiltered)
    return 'joining a namespace needs privileges in the user namespace that owns it; join that user namespace too';
  if (rec.syscall === 'open' && code === 'ENOENT' && detail.startsWith('namespace'))
    return 'the namespace path does not exist (is the process that owned it still running?)';
  if (rec.syscall === 'mount' && code === 'EPERM' && detail.startsWith('proc')) {
    const engine = engineView();
    if (engine.maskedProc.length)
      return `${engineName(engine)} masks ${engine.maskedProc.length} paths of /proc (such as ${engine.maskedProc[0]}): ${UNMASK_PROC}`;
  }
  if (code === 'EPERM' && rec.syscall && ENGINE_FILTERED.has(rec.syscall)) return engineFilterHint(rec.syscall);
  return undefined;
}

/** A notice from a stage (something the configuration implied was left out), with what to do about it. */
export function explainNotice(text: string): string {
  if (text.startsWith('hostname:'))
    return `${text}. To set it, run the engine with --security-opt seccomp=unconfined; to make this an error, set hostname; to keep this quiet, leave 'uts' out of namespaces`;
  return text;
}
