/**
 * NormalizedConfig -> the bootstrap message for the init program (BootstrapSpec).
 * Policy lives here; the native side only carries it out.
 */
import type { NormalizedConfig, RlimitName } from './config.js';
import { planIdMaps } from './idmap.js';
import { planMounts } from './mounts.js';
import { BootFlag, native, type BootstrapSpec } from './native.js';
import { defaultSeccompPolicy } from './seccomp.js';
import type { NamespaceType } from './namespaces.js';
import { Namespaces } from './namespaces.js';

const RLIMITS: Record<RlimitName, number> = { cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, as: 9 };

// Compiling a policy costs far more than a spawn; policies rarely change.
const seccompCache = new Map<string, Buffer>();
export function compileSeccomp(config: NormalizedConfig): Buffer | null {
  const policy = config.seccompIsDefault ? defaultSeccompPolicy : config.seccomp;
  if (!policy) return null;
  const key = config.seccompIsDefault ? '<default>' : JSON.stringify(policy, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  let prog = seccompCache.get(key);
  if (!prog) {
    prog = native.compileSeccomp(policy);
    if (seccompCache.size > 64) seccompCache.clear();
    seccompCache.set(key, prog);
  }
  return prog;
}

/** Join order: user first (its capabilities may be needed to join the rest), then as given. */
function nsPaths(ns: Namespaces): Array<{ type: string; path: string }> {
  const out: Array<{ type: string; path: string }> = [];
  const entries = [...ns].filter((e) => e.path !== undefined);
  entries.sort((a, b) => (a.type === 'user' ? -1 : b.type === 'user' ? 1 : 0));
  for (const e of entries) out.push({ type: Namespaces.procName(e.type as NamespaceType), path: e.path! });
  return out;
}

export interface BootstrapOptions {
  startNow: boolean;
  extraFds: number;
  logLevel: number;
}

export function buildBootstrap(config: NormalizedConfig, opts: BootstrapOptions): BootstrapSpec {
  const ns = config.namespaces;
  const spec: BootstrapSpec = {
    cloneFlags: ns.cloneFlags(),
    nsPaths: nsPaths(ns),
    args: config.args,
    env: Object.entries(config.env).map(([k, v]) => `${k}=${v}`),
    cwd: config.cwd,
    hostname: config.hostname,
    uid: config.user.uid,
    gid: config.user.gid,
    groups: config.user.additionalGids,
    mounts: planMounts(config),
    rlimits: config.limits.rlimits.map(({ name, value }) => {
      const v = value === Infinity ? -1 : value;
      return { resource: RLIMITS[name], soft: v, hard: v };
    }),
    caps: config.capabilities,
    noNewPrivs: config.noNewPrivileges,
    seccomp: compileSeccomp(config),
    flags:
      (config.network === 'loopback' ? BootFlag.Loopback : 0) |
      (config.init ? BootFlag.Init : 0) |
      (opts.startNow ? BootFlag.StartNow : 0),
    extraFds: opts.extraFds,
    logLevel: opts.logLevel,
    pdeathsig: 9,
  };
  if (ns.isNew('user')) Object.assign(spec, planIdMaps(config));
  else spec.setgroups = process.geteuid!() === 0;
  if (config.oomScoreAdj !== undefined) spec.oomScoreAdj = String(config.oomScoreAdj);
  return spec;
}
