/**
 * A container's cgroups: where they go, which hierarchy enforces which limit, creating
 * them and writing the limits, and what 'strict' and 'best-effort' do when something is
 * missing (README.md, "Limits and results").
 *
 * Every container with a cgroup limit gets a v2 cgroup where the machine has cgroup v2
 * (cgroup.kill ends it at once, cpu.stat counts its CPU time even without controllers),
 * and a v1 cgroup for each limit whose controller v2 does not offer it (hybrid machines).
 * They go under the caller's own cgroup in each hierarchy, so a service's own limits
 * still cover its sandboxes, or under the delegated parents the configuration (or
 * NSJAIL_TS_CGROUP_PARENT) names. The caller itself is never moved.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CGROUP_LIMIT_NAMES, validateCgroupParent, wantsCgroup, type CgroupLimitName, type Limits } from '../config-limits.js';
import { ConfigError, ContainerError } from '../errors.js';
import { kernelAtLeast } from '../kernel.js';
import { ContainerCgroup, type Placement } from './container-cgroup.js';
import { newCgroupName, removeCgroupDir, sweepStale } from './cleanup.js';
import { detectHost, dirOf, locate, v1Of, type CgroupHost, type Hierarchy } from './detect.js';
import { cached, isFsError, readIfExists, writeText, type FsError } from './files.js';
import type { LimitWrite } from './formats.js';
import { controllerCommand, delegationCommand, hiddenHint, readOnlyHint, SYSTEMD_V2_COMMAND, type Delegation } from './fix.js';
import { v1LimitWrites } from './v1.js';
import { withSpare } from './spare.js';
import { parseControllers, v2LimitWrites, V2_FILES } from './v2.js';

/** The controller each cgroup limit needs (cpuTimeMs needs only CPU accounting). */
const CONTROLLER: Partial<Record<CgroupLimitName, string>> = { memoryBytes: 'memory', memorySwapBytes: 'memory', pids: 'pids', cpus: 'cpu' };
const USED_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'freezer'];

/** A limit that could not be enforced, and why. */
interface Failure {
  limits: CgroupLimitName[];
  syscall?: string;
  path?: string;
  error?: FsError;
  /** What it was for, or what is missing. */
  what: string;
  hint: () => Promise<string>;
  /** mkdir refused by permissions: a delegated parent is the fix. */
  delegate?: Delegation;
}


/** The delegated parents named by the configuration, else by NSJAIL_TS_CGROUP_PARENT: each must be a cgroup directory. */
async function namedParents(host: CgroupHost, limits: Limits, env: NodeJS.ProcessEnv): Promise<Map<Hierarchy, string>> {
  let field = 'limits.cgroupParent';
  let list = limits.cgroupParent;
  const fromEnv = env.NSJAIL_TS_CGROUP_PARENT;
  if (list.length === 0 && fromEnv) {
    field = 'NSJAIL_TS_CGROUP_PARENT';
    list = fromEnv.split(',').filter(Boolean).flatMap((p) => validateCgroupParent(p, field));
  }
  const out = new Map<Hierarchy, string>();
  for (const p of list) {
    const loc = locate(host, p);
    if (!loc) {
      const mounts = [host.v2, ...host.v1].filter((h) => h).map((h) => h!.mount);
      throw new ConfigError(field, `is not a cgroup directory: ${p} is in no cgroup file system (${mounts.length ? `mounted: ${mounts.join(', ')}` : 'none is mounted'})`);
    }
    if (out.has(loc.hierarchy)) throw new ConfigError(field, `names two directories of the hierarchy at ${loc.hierarchy.mount}`);
    const st = await cached(`stat:${p}`, () => fs.promises.stat(p)).catch((e: FsError) => e);
    if (st instanceof Error || !st.isDirectory())
      throw new ConfigError(field, `is not a cgroup directory: ${p} ${st instanceof Error ? `(${st.code})` : 'is a file'}`);
    out.set(loc.hierarchy, p);
  }
  return out;
}

/** The controllers a v2 parent enables for its children (cgroup.subtree_control). */
function enabledControllers(parent: string): Promise<string[]> {
  return cached(`subtree:${parent}`, async () => parseControllers((await readIfExists(path.join(parent, V2_FILES.subtreeControl))) ?? ''));
}

function writable(p: string): Promise<boolean> {
  return cached(`w:${p}`, () => fs.promises.access(p, fs.constants.W_OK).then(() => true, () => false));
}

/**
 * CLONE_INTO_CGROUP (like a cgroup.procs write) needs write access to cgroup.procs of the
 * nearest common ancestor of the caller's cgroup and the target: a normal user must
 * itself run inside the delegated subtree. (Where the parent itself is not writable,
 * mkdir fails first, and says so.)
 */
async function mayMoveInto(h: Hierarchy, parent: string): Promise<boolean> {
  if (process.geteuid!() === 0 || !(await writable(parent))) return true;
  const target = locate({ v2: h, v1: [] }, parent)?.cgroupPath;
  if (!h.caller || !target) return false;
  const a = h.caller.split('/').filter(Boolean);
  const b = target.split('/').filter(Boolean);
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const common = dirOf(h, `/${a.slice(0, n).join('/')}`);
  return common !== undefined && writable(path.join(common, V2_FILES.procs));
}

function requested(limits: Limits): CgroupLimitName[] {
  return CGROUP_LIMIT_NAMES.filter((k) => limits[k] !== undefined);
}

const unique = <T,>(xs: T[]) => [...new Set(xs)];

/** Plans, creates and fills a container's cgroups. */
class Builder {
  readonly placements: Placement[] = [];
  readonly failures: Failure[] = [];
  /** "<dir>:<limit>" whose file refused its value. */
  private readonly refused = new Set<string>();

  constructor(
    private readonly host: CgroupHost,
    private readonly parents: Map<Hierarchy, string>,
    private readonly limits: Limits,
    private readonly name: string,
  ) {}

  private limitsFor(controllers: readonly string[]): CgroupLimitName[] {
    return requested(this.limits).filter((l) => CONTROLLER[l] && controllers.includes(CONTROLLER[l]!));
  }

  /** The parent in a hierarchy, or a failure (the caller's cgroup is not visible there). */
  private parentIn(h: Hierarchy, limits: CgroupLimitName[], what: string): string | undefined {
    const parent = this.parents.get(h);
    if (!parent)
      this.failures.push({ limits, what, path: h.mount, hint: () => hiddenHint(h) });
    return parent;
  }

  /** v2: its controllers (those the parent enables), CPU accounting, cgroup.kill. */
  async planV2(): Promise<void> {
    const h = this.host.v2;
    if (!h) return;
    const wanted = this.limitsFor(['memory', 'pids', 'cpu']);
    const limits = [...wanted, ...(this.limits.cpuTimeMs !== undefined ? (['cpuTimeMs'] as const) : [])];
    const parent = this.parentIn(h, limits, 'a cgroup v2 for the container');
    if (!parent) return;
    const enabled = (await enabledControllers(parent)).filter((c) => USED_CONTROLLERS.includes(c));
    const place: Placement = { hierarchy: h, parent, dir: path.join(parent, this.name), controllers: enabled, limits: [...this.limitsFor(enabled), ...limits.filter((l) => l === 'cpuTimeMs')] };
    if (!(await mayMoveInto(h, parent))) {
      this.failures.push({
        limits: place.limits,
        what: `the caller's cgroup (${h.caller}) is outside ${parent}; the kernel moves a process into a cgroup only from within a subtree it may write`,
        path: parent,
        hint: async () => `run the caller inside the delegated subtree: ${SYSTEMD_V2_COMMAND}, or as root put it in a leaf of its own below ${parent}`,
      });
      return;
    }
    this.placements.push(place);
  }

  /** The v2 placement, if planned. */
  get v2(): Placement | undefined {
    return this.placements.find((p) => p.hierarchy.version === 2);
  }

  /** The v1 controllers the limits need that the planned v2 cgroup does not offer. */
  v1Needed(): string[] {
    const v2 = this.v2;
    const need = unique(requested(this.limits).map((l) => CONTROLLER[l]).filter((c): c is string => !!c)).filter((c) => !v2?.controllers.includes(c));
    return [...need, ...(v2 ? [] : this.v2Fallbacks())];
  }

  /** Without v2: CPU accounting from cpuacct, and the freezer to end the container. */
  v2Fallbacks(): string[] {
    return [...(this.limits.cpuTimeMs !== undefined ? ['cpuacct'] : []), 'freezer'];
  }

  /** One cgroup per v1 hierarchy holding one of `controllers`; returns those newly planned. */
  planV1(controllers: string[]): Placement[] {
    const added: Placement[] = [];
    for (const c of controllers) {
      const h = v1Of(this.host, c);
      const limits = c === 'cpuacct' ? (['cpuTimeMs'] as CgroupLimitName[]) : this.limitsFor([c]);
      if (!h) {
        if (limits.length) this.failures.push(this.noController(c, limits));
        continue;
      }
      const same = this.placements.find((p) => p.hierarchy === h);
      if (same) {
        same.limits = unique([...same.limits, ...limits]);
        continue;
      }
      const parent = this.parentIn(h, limits, `a ${c} cgroup`);
      if (!parent) continue;
      const p: Placement = { hierarchy: h, parent, dir: path.join(parent, this.name), controllers: h.controllers.filter((x) => USED_CONTROLLERS.includes(x)), limits };
      this.placements.push(p);
      added.push(p);
    }
    return added;
  }

  /** Creates the placements (in parallel); returns those that exist. */
  async createAll(ps: Placement[]): Promise<Placement[]> {
    const made = await Promise.all(ps.map((p) => this.create(p)));
    return ps.filter((_, i) => made[i]);
  }

  /** The requested limits no created cgroup enforces. */
  unenforced(made: Placement[]): CgroupLimitName[] {
    const enforced = new Set(made.flatMap((p) => p.limits.filter((l) => !this.refused.has(`${p.dir}:${l}`))));
    return requested(this.limits).filter((l) => !enforced.has(l));
  }

  private noController(c: string, limits: CgroupLimitName[]): Failure {
    const v2 = this.host.v2;
    const parent = v2 && this.parents.get(v2);
    return {
      limits,
      what: `the ${c} controller, which ${parent ? `${parent} does not enable for its children (cgroup v2)` : 'no cgroup v2 offers'} and no cgroup v1 hierarchy holds`,
      path: parent,
      hint: async () => (parent ? controllerCommand(parent, [c]) : `mount the cgroup file system: mount -t cgroup2 none /sys/fs/cgroup`),
    };
  }

  /** mkdir, then the limit files in order; what fails is recorded. Resolves whether the directory exists. */
  async create(p: Placement): Promise<boolean> {
    try {
      await fs.promises.mkdir(p.dir);
    } catch (e) {
      this.failures.push(this.mkdirFailure(p, e as FsError));
      return false;
    }
    const writes = p.hierarchy.version === 2 ? v2LimitWrites(this.limits, p.controllers) : v1LimitWrites(this.limits, p.controllers);
    for (const { write: w, error: err } of await applyWrites(p.dir, writes)) {
      this.refused.add(`${p.dir}:${w.limit}`);
      this.failures.push({
        limits: [w.limit],
        syscall: 'write',
        path: path.join(p.dir, w.file),
        error: err,
        what: `${w.value} for limits.${w.limit}`,
        hint: async () => (err.code === 'EINVAL' || err.code === 'ERANGE' ? `the kernel refuses ${w.value} in ${w.file}: choose another limits.${w.limit}` : `the cgroup ${p.dir} is not writable by this user: delegate it (chown its files) or use limits.enforce: 'best-effort'`),
      });
    }
    return true;
  }

  private mkdirFailure(p: Placement, e: FsError): Failure {
    const what = p.limits.length ? `a cgroup for ${p.limits.map((l) => `limits.${l}`).join(', ')}` : 'a cgroup to end the container with';
    const base = { limits: p.limits, syscall: 'mkdir', path: p.dir, error: e, what };
    if (e.code === 'EROFS') return { ...base, hint: () => readOnlyHint(p.hierarchy) };
    if (e.code === 'ENOENT') return { ...base, hint: () => hiddenHint(p.hierarchy) };
    // The freezer is only v2's stand-in: delegating v2 is the fix.
    const delegate = p.limits.length || p.hierarchy.version === 2 ? { hierarchy: p.hierarchy, parent: p.parent } : undefined;
    return { ...base, delegate, hint: async () => delegationCommand(this.failures.flatMap((f) => (f.delegate ? [f.delegate] : []))) };
  }
}

/**
 * Writes a cgroup's limit files: in parallel, but a write marked `after` once the one
 * before it is done. Returns those refused (an optional file that is absent is skipped).
 */
export async function applyWrites(dir: string, writes: LimitWrite[]): Promise<Array<{ write: LimitWrite; error: FsError }>> {
  const refused: Array<{ write: LimitWrite; error: FsError }> = [];
  const chains: LimitWrite[][] = [];
  for (const w of writes) if (w.after && chains.length) chains[chains.length - 1].push(w);
  else chains.push([w]);
  await Promise.all(
    chains.map(async (chain) => {
      for (const w of chain)
        try {
          await writeText(path.join(dir, w.file), w.value);
        } catch (e) {
          if (!(w.optional && isFsError(e, 'ENOENT'))) refused.push({ write: w, error: e as FsError });
        }
    }),
  );
  return refused.sort((a, b) => writes.indexOf(a.write) - writes.indexOf(b.write));
}

/** The error 'strict' throws: the first failure that matters, naming every limit that cannot be enforced. */
async function strictError(failures: Failure[], unenforced: CgroupLimitName[]): Promise<ContainerError> {
  const f = failures.find((x) => x.limits.some((l) => unenforced.includes(l))) ?? failures[0];
  const hint = `Fix: ${await f.hint()}`;
  const detail = `${f.what}; not enforceable here: ${unenforced.map((l) => `limits.${l}`).join(', ')}`;
  if (f.error?.errno !== undefined)
    return ContainerError.fromRecord({ errno: Math.abs(f.error.errno), syscall: f.syscall, path: f.path, detail, hint });
  return new ContainerError(`cgroup limits cannot be enforced here: ${detail}. ${hint}`, { code: 'ERR_CONTAINER_CGROUP', path: f.path, detail, hint });
}

/**
 * The container's cgroups, created and filled, or null when its limits need none.
 * 'strict' throws (a ContainerError with the path, the errno and the fix; a ConfigError
 * for a parent that is not a cgroup directory) and leaves nothing behind; 'best-effort'
 * goes on with what could be made and names the rest.
 */
export async function createContainerCgroup(limits: Limits, env: NodeJS.ProcessEnv = process.env, knownHost?: CgroupHost): Promise<ContainerCgroup | null> {
  if (!wantsCgroup(limits)) return null;
  // A given host is a test's: made now. Otherwise one made ahead (spare.ts).
  if (knownHost) return makeContainerCgroup(limits, env, knownHost);
  return withSpare(limits, env, () => makeContainerCgroup(limits, env));
}

async function makeContainerCgroup(limits: Limits, env: NodeJS.ProcessEnv, knownHost?: CgroupHost): Promise<ContainerCgroup | null> {
  const host = knownHost ?? (await detectHost());
  const parents = await namedParents(host, limits, env);
  for (const h of [host.v2, ...host.v1]) {
    if (!h || parents.has(h) || h.caller === undefined) continue;
    const own = dirOf(h, h.caller);
    if (own) parents.set(h, own);
  }
  const b = new Builder(host, parents, limits, await newCgroupName());
  await b.planV2();
  const planned = b.v2;
  b.planV1(b.v1Needed());
  let made = await b.createAll(b.placements);
  // v2 was planned but could not be made: what it would have done, from v1.
  if (planned && !made.includes(planned)) made = [...made, ...(await b.createAll(b.planV1(b.v2Fallbacks())))];
  for (const p of made) sweepStale(p.parent, p.hierarchy.version);
  const unenforced = b.unenforced(made);
  if (unenforced.length && limits.enforce === 'strict') {
    const error = await strictError(b.failures, unenforced);
    await Promise.all(made.map((p) => removeCgroupDir(p.dir, p.hierarchy.version)));
    throw error;
  }
  return new ContainerCgroup(made, unenforced, unenforced.includes('cpuTimeMs') ? undefined : limits.cpuTimeMs, hasCgroupKill());
}

/** cgroup.kill exists since Linux 5.14. */
const hasCgroupKill = () => kernelAtLeast(5, 14);
