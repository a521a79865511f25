/**
 * `nsjail-ts doctor`: what this machine gives nsjail-ts, checked for real where a check
 * can be (a sandbox is started), read from the kernel's settings where it cannot, each
 * finding with how to fix what is missing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ContainerConfig } from '../config.js';
import { Container } from '../container.js';
import { engineName, engineView, idRanges, mapsRange, UNCONFINE_SECCOMP, UNMASK_PROC, type EngineView } from '../engine.js';
import { ConfigError, ContainerError } from '../errors.js';
import { UsageError } from './run-options.js';
import { defaultMappings, findHelper } from '../idmap.js';
import { kernelAtLeast } from '../kernel.js';
import { Namespaces, type NamespaceType } from '../namespaces.js';

export type Level = 'ok' | 'warn' | 'fail' | 'info';

export interface Finding {
  check: string;
  level: Level;
  /** What was found. */
  found: string;
  /** How to fix it, when something is missing. */
  fix?: string;
}

const read = (p: string): string | undefined => {
  try {
    return fs.readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};

function kernel(): Finding {
  const release = os.release();
  return kernelAtLeast(5, 12)
    ? { check: 'kernel', level: 'ok', found: `Linux ${release} (5.12+ needed: pidfds, openat2, the new mount API, idmapped mounts)` }
    : { check: 'kernel', level: 'fail', found: `Linux ${release}`, fix: 'nsjail-ts needs Linux 5.12 or newer' };
}

/** Starts a sandbox running /bin/true with `config`; the error if it could not. */
/** Every namespace this kernel has but `type`. */
const allBut = (type: NamespaceType) => [...Namespaces.all()].map((e) => e.type).filter((t) => t !== type);

async function tryRun(config: Partial<ContainerConfig> = {}): Promise<ContainerError | ConfigError | undefined> {
  try {
    const r = await Container.run({ args: ['/bin/true'], limits: { wallTimeMs: 10_000 }, ...config });
    return r.exitCode === 0 ? undefined : new ContainerError(`/bin/true ended with ${r.exitCode ?? r.signal}`);
  } catch (e) {
    if (e instanceof ContainerError || e instanceof ConfigError) return e;
    throw e;
  }
}

/** The real test: can a default sandbox start here? */
async function sandbox(): Promise<Finding> {
  const err = await tryRun();
  if (!err) return { check: 'sandbox', level: 'ok', found: 'a default sandbox ran /bin/true' };
  const hint = (err as ContainerError).hint;
  const message = hint && err.message.endsWith(`. ${hint}`) ? err.message.slice(0, -hint.length - 2) : err.message;
  return { check: 'sandbox', level: 'fail', found: `a default sandbox could not start: ${message}`, fix: hint ?? 'see the message above' };
}

function userNamespaces(): Finding[] {
  const out: Finding[] = [];
  const clone = read('/proc/sys/kernel/unprivileged_userns_clone');
  const max = read('/proc/sys/user/max_user_namespaces');
  if (clone === '0')
    out.push({ check: 'user namespaces', level: 'fail', found: 'kernel.unprivileged_userns_clone=0', fix: 'sysctl -w kernel.unprivileged_userns_clone=1' });
  if (max === '0') out.push({ check: 'user namespaces', level: 'fail', found: 'user.max_user_namespaces=0', fix: 'sysctl -w user.max_user_namespaces=15000' });
  if (!out.length) out.push({ check: 'user namespaces', level: 'ok', found: `allowed (user.max_user_namespaces=${max ?? '?'}${clone ? `, kernel.unprivileged_userns_clone=${clone}` : ''})` });
  const apparmor = read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  if (apparmor === '1')
    out.push({
      check: 'AppArmor',
      level: 'fail',
      found: 'kernel.apparmor_restrict_unprivileged_userns=1 (Ubuntu 23.10+): unprivileged user namespaces get no capabilities',
      fix: "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile that grants 'userns' to node",
    });
  else out.push({ check: 'AppArmor', level: 'ok', found: apparmor === undefined ? 'no user namespace restriction (no such setting)' : 'user namespaces not restricted' });
  return out;
}

function subordinateIds(): Finding[] {
  const user = os.userInfo();
  const helpers = ['newuidmap', 'newgidmap'].map((h) => [h, findHelper(h)] as const);
  const missing = helpers.filter(([, p]) => !p).map(([h]) => h);
  const ranges = ['/etc/subuid', '/etc/subgid'].map((file) => {
    const line = (read(file) ?? '').split('\n').find((l) => l.startsWith(`${user.username}:`) || l.startsWith(`${user.uid}:`));
    return [file, line] as const;
  });
  const out: Finding[] = [];
  if (user.uid === 0) {
    const root = ranges[0][1];
    const nested = engineView().uidMap;
    const want = defaultMappings().uid[0];
    if (nested && !mapsRange(nested, want.hostId, want.size)) {
      out.push({
        check: 'id mapping',
        level: 'fail',
        found: `root in a user namespace with only ids ${idRanges(nested)} (a rootless container engine): a root caller's sandboxes map their ids 0..${want.size - 1} to ${want.hostId}.. by default, which it lacks`,
        fix: "set uidMappings and gidMappings within those ids (e.g. [{ containerId: 0, hostId: 1, size: 65536 }]), or run the engine's container as a normal user (--user 1000)",
      });
      return out;
    }
    out.push({
      check: 'id mapping',
      level: 'ok',
      found: root
        ? `root caller: container ids map to root's range ${root.split(':').slice(1).join(' +')} (from /etc/subuid)`
        : 'root caller: container ids map to host ids 1878982656.. (no range for root in /etc/subuid)',
    });
    return out;
  }
  out.push(
    missing.length
      ? { check: 'newuidmap', level: 'warn', found: `${missing.join(' and ')} not installed: only your own uid can be mapped`, fix: 'apt-get install uidmap (Debian/Ubuntu), dnf install shadow-utils (Fedora)' }
      : { check: 'newuidmap', level: 'ok', found: helpers.map(([h, p]) => `${h} at ${p}`).join(', ') },
  );
  const without = ranges.filter(([, l]) => !l).map(([f]) => f);
  out.push(
    without.length
      ? { check: 'subordinate ids', level: 'warn', found: `no range for ${user.username} in ${without.join(' and ')}: uidMappings beyond your own uid fail`, fix: `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user.username}` }
      : { check: 'subordinate ids', level: 'ok', found: ranges.map(([f, l]) => `${path.basename(f)} ${l!.split(':').slice(1).join(' +')}`).join(', ') },
  );
  return out;
}

function cgroups(): Finding[] {
  const mine = (read('/proc/self/cgroup') ?? '').split('\n').filter(Boolean);
  const v2only = mine.length === 1 && mine[0].startsWith('0::');
  const controllers = read('/sys/fs/cgroup/cgroup.controllers');
  const unifiedControllers = read('/sys/fs/cgroup/unified/cgroup.controllers');
  const v1 = mine.filter((l) => !l.startsWith('0::')).map((l) => l.split(':')[1]).filter(Boolean);
  if (v2only) {
    const where = mine[0].slice(3);
    const dir = path.join('/sys/fs/cgroup', where);
    let writable = false;
    try {
      fs.accessSync(dir, fs.constants.W_OK);
      writable = true;
    } catch {
      // not delegated to us
    }
    return [
      { check: 'cgroups', level: 'ok', found: `cgroup v2 (controllers: ${controllers || 'none'}); this process is in ${where}` },
      writable || process.getuid!() === 0
        ? { check: 'cgroup delegation', level: 'ok', found: `${dir} is writable: sandboxes can get cgroups of their own beneath it` }
        : {
            check: 'cgroup delegation',
            level: 'warn',
            found: `${dir} is not writable by you: memory, pids and cpu limits are not available rootless`,
            fix: 'run under a delegated scope: systemd-run --user --scope -p Delegate=yes node app.js (or set limits.cgroupParent to a delegated cgroup)',
          },
    ];
  }
  return [
    {
      check: 'cgroups',
      level: 'info',
      found: `hybrid: v1 hierarchies ${v1.join(', ') || 'none'}${unifiedControllers !== undefined ? `, and a v2 hierarchy at /sys/fs/cgroup/unified with controllers: ${unifiedControllers || 'none'}` : ''}`,
    },
  ];
}

function seccomp(): Finding {
  const status = read('/proc/self/status') ?? '';
  const mode = /^Seccomp:\s*(\d)/m.exec(status)?.[1];
  if (mode === undefined) return { check: 'seccomp', level: 'fail', found: 'the kernel has no seccomp', fix: 'a kernel built with CONFIG_SECCOMP_FILTER' };
  if (mode === '2')
    return {
      check: 'seccomp',
      level: 'warn',
      found: 'this process already runs under a seccomp filter (a container engine\'s?): it may refuse what sandboxes need (unshare, mount, sethostname)',
      fix: UNCONFINE_SECCOMP,
    };
  return { check: 'seccomp', level: 'ok', found: 'available; this process is not filtered' };
}

function filesystems(): Finding[] {
  const fss = read('/proc/filesystems') ?? '';
  return [
    /\toverlay$/m.test(fss) && kernelAtLeast(5, 11)
      ? { check: 'overlayfs', level: 'ok', found: 'available, and mountable in a user namespace (Linux 5.11+)' }
      : { check: 'overlayfs', level: 'warn', found: /\toverlay$/m.test(fss) ? 'overlayfs needs Linux 5.11+ inside a user namespace' : 'no overlayfs in this kernel', fix: 'modprobe overlay, or a kernel with CONFIG_OVERLAY_FS' },
    kernelAtLeast(5, 12)
      ? { check: 'idmapped mounts', level: 'ok', found: `available (Linux 5.12+; tmpfs ${kernelAtLeast(6, 3) ? 'too' : 'only from 6.3'}): a root caller's binds are idmapped` }
      : { check: 'idmapped mounts', level: 'fail', found: 'not in this kernel', fix: 'Linux 5.12 or newer' },
  ];
}

/** Where this runs, if inside a container engine, and the engine's restrictions that sandboxes meet (docs/ENGINES.md). */
async function engine(view: EngineView): Promise<Finding[]> {
  const restricted = view.maskedProc.length > 0 || view.seccompFiltered;
  const out: Finding[] = [];
  if (!view.markers.length) out.push({ check: 'container engine', level: 'ok', found: 'not inside a container engine (no /.dockerenv, /run/.containerenv, $container or $KUBERNETES_SERVICE_HOST)' });
  else if (!restricted)
    out.push({ check: 'container engine', level: 'info', found: `${view.markers.join(', ')} found, but none of an engine's restrictions is in effect: /proc is not masked and this process has no seccomp filter` });
  else out.push({ check: 'container engine', level: 'info', found: `inside ${engineName(view)} (${view.markers.join(', ')})` });

  if (!view.maskedProc.length) out.push({ check: '/proc', level: 'ok', found: 'not masked: each sandbox gets a procfs of its own pid namespace' });
  else {
    const shown = view.maskedProc.slice(0, 4).join(', ') + (view.maskedProc.length > 4 ? ', ...' : '');
    const withoutPid = await tryRun({ namespaces: allBut('pid') });
    out.push({
      check: '/proc',
      level: 'fail',
      found:
        `masked: ${view.maskedProc.length} paths of /proc are mounted over (${shown}); the kernel then refuses a new procfs (subset=pid too), ` +
        `so a sandbox cannot have a pid namespace of its own; without one, ${withoutPid ? `a sandbox does not start either (${withoutPid.message})` : 'a sandbox does start here'}`,
      fix: UNMASK_PROC,
    });
  }

  // An explicit hostname: the default one is left out (with a warning) where it is refused.
  const err = await tryRun({ hostname: 'doctor', namespaces: view.maskedProc.length ? allBut('pid') : undefined });
  if (!err) out.push({ check: 'hostname', level: 'ok', found: 'a sandbox can set its hostname' });
  else if (err instanceof ContainerError && err.syscall === 'sethostname')
    out.push({
      check: 'hostname',
      level: 'warn',
      found: `sethostname is refused (${err.code}${view.seccompFiltered ? `, by ${engineName(view)}'s seccomp profile` : ''}): the default hostname is left out, with a warning, and a hostname you set fails`,
      fix: UNCONFINE_SECCOMP,
    });
  return out;
}

export async function diagnose(): Promise<Finding[]> {
  const view = engineView();
  const probe = await sandbox();
  return [kernel(), ...userNamespaces(), ...subordinateIds(), ...cgroups(), seccomp(), ...filesystems(), ...(await engine(view)), probe];
}

/** Exit status: 0 when a sandbox can run here. */
export async function doctor(argv: string[]): Promise<number> {
  for (const a of argv) if (a !== '--json') throw new UsageError(`${a} is not a doctor option (--json)`);
  // What a probe's sandbox left out is a finding here, not a warning on stderr too.
  process.removeAllListeners('warning');
  const findings = await diagnose();
  const usable = findings.every((f) => f.level !== 'fail');
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ usable, findings }, null, 2)}\n`);
  else {
    const mark: Record<Level, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' };
    for (const f of findings) process.stdout.write(`${mark[f.level]}  ${f.check}: ${f.found}${f.fix ? `\n      fix: ${f.fix}` : ''}\n`);
    process.stdout.write(usable ? '\nnsjail-ts can run sandboxes here.\n' : '\nnsjail-ts cannot run sandboxes here until the failures above are fixed.\n');
  }
  return usable ? 0 : 1;
}
