/**
 * NormalizedConfig -> the bootstrap message for the init program (BootstrapSpec).
 * Policy lives here; the native side only carries it out.
 */
import type { NormalizedConfig, RlimitName } from './config.js';
import { planIdMaps } from './idmap.js';
import { planMounts } from './mounts.js';
import { BootFlag, type BootstrapSpec } from './native.js';
import type { NamespaceType } from './namespaces.js';
import { Namespaces } from './namespaces.js';

const RLIMITS: Record<RlimitName, number> = { cpu: 0, fsize: 1, stack: 3, core: 4, nproc: 6, nofile: 7, as: 9 };

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
    seccomp: config.seccompProgram,
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
