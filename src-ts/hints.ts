/**
 * When the environment, not the configuration, is at fault (user namespaces disabled,
 * Ubuntu's AppArmor restriction, no newuidmap, a masked /proc), say how to fix it.
 * Runs only on the failure path.
 */
import * as fs from 'node:fs';
import { describeErrno, type Stage } from './errors.js';

function readSysctl(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function inContainerEngine(): boolean {
  return fs.existsSync('/.dockerenv') || fs.existsSync('/run/.containerenv');
}

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
  if (inContainerEngine())
    why.push("inside Docker/Podman the engine's seccomp profile blocks namespaces: run with --security-opt seccomp=unconfined (and apparmor=unconfined), or --privileged");
  if (why.length === 0) why.push('the kernel refused to create a user namespace; check kernel.unprivileged_userns_clone, user.max_user_namespaces and any LSM policy');
  return `User namespaces are unavailable here: ${why.join('; ')}`;
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
      : 'the kernel refused the uid/gid map: unprivileged callers may map only their own ids unless newuidmap/newgidmap and /etc/subuid, /etc/subgid allow more';
  if (rec.syscall === 'setns' && code === 'EPERM')
    return 'joining a namespace needs privileges in the user namespace that owns it; join that user namespace too';
  if (rec.syscall === 'open' && code === 'ENOENT' && detail.startsWith('namespace'))
    return 'the namespace path does not exist (is the process that owned it still running?)';
  if (rec.syscall === 'mount' && code === 'EPERM' && detail.startsWith('proc') && inContainerEngine())
    return 'the container engine masks parts of /proc; run it with --security-opt systempaths=unconfined or use a pid namespace-free configuration';
  return undefined;
}

/** A notice from a stage (something the configuration implied was left out), with what to do about it. */
export function explainNotice(text: string): string {
  if (text.startsWith('hostname:'))
    return `${text}. To set it, run the engine with --security-opt seccomp=unconfined; to make this an error, set hostname; to keep this quiet, leave 'uts' out of namespaces`;
  return text;
}
