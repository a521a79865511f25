/**
 * The cgroup modules without the kernel: the v2 and v1 interface files against the
 * formats the kernel documents (Documentation/admin-guide/cgroup-v2.rst, cgroup-v1/),
 * written into and read from directories laid out as the kernel lays out a fresh cgroup;
 * detection from real mount tables (hybrid, pure v2 under systemd, Docker); and what
 * 'strict' and 'best-effort' do when a hierarchy is missing, hidden or not writable.
 *
 * This machine has no v2 controllers, so these are the only tests of the v2 limit files
 * (memory.max, memory.swap.max, memory.oom.group, pids.max, cpu.max) and of its stats
 * files (memory.events, memory.peak, pids.peak); cpu.stat, cgroup.kill and cgroup.events
 * also run for real in test/integration/limits.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, ContainerError } from '../../dist/index.js';
import { normalizeConfig } from '../../dist/config.js';
import { ContainerCgroup, type Placement } from '../../dist/cgroups/container-cgroup.js';
import { dirOf, hierarchiesFrom, locate, parseMountinfo, parseProcCgroup, type CgroupHost, type Hierarchy } from '../../dist/cgroups/detect.js';
import { cfsQuota, parseKeyed } from '../../dist/cgroups/formats.js';
import { applyWrites, createContainerCgroup } from '../../dist/cgroups/limits.js';
import { readCgroupStats, withCgroupStats } from '../../dist/cgroups/stats.js';
import { parseV1Stats, v1LimitWrites } from '../../dist/cgroups/v1.js';
import { formatCpuMax, formatMax, parseCpuMax, parseV2Stats, v2LimitWrites } from '../../dist/cgroups/v2.js';
import { buildStatus } from '../../dist/status.js';

const MiB = 1 << 20;
const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-cgroups-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A directory laid out as the kernel lays out a fresh cgroup: every file with its default. */
function fakeCgroup(files: Record<string, string>): string {
  const d = tempDir();
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
  return d;
}
const read = (d: string, f: string) => fs.readFileSync(path.join(d, f), 'utf8');
const limits = (l: object) => normalizeConfig({ args: ['sh'], limits: l }).limits;

describe('cgroup v2 interface files (cgroup-v2.rst)', () => {
  it('"max" or a number; cpu.max is "$MAX $PERIOD" with a quota of at least 1 ms', () => {
    expect(formatMax(undefined)).toBe('max');
    expect(formatMax(Infinity)).toBe('max');
    expect(formatMax(64 * MiB)).toBe('67108864');
    expect(formatCpuMax(0.5)).toBe('50000 100000');
    expect(formatCpuMax(1.5)).toBe('150000 100000');
    expect(formatCpuMax(0.001)).toBe('1000 100000');
    expect(parseCpuMax('max 100000\n')).toEqual({ quotaUs: Infinity, periodUs: 100000 });
    expect(parseCpuMax('50000 100000\n')).toEqual({ quotaUs: 50000, periodUs: 100000 });
  });

  it('limits become writes to the controllers the parent enables, swap off unless asked for, the OOM killer ending the group', () => {
    const all = ['memory', 'pids', 'cpu'];
    expect(v2LimitWrites(limits({ memoryBytes: 64 * MiB, pids: 32, cpus: 0.5 }), all)).toEqual([
      { limit: 'memoryBytes', file: 'memory.max', value: '67108864' },
      { limit: 'memorySwapBytes', file: 'memory.swap.max', value: '0', optional: true },
      { limit: 'memoryBytes', file: 'memory.oom.group', value: '1', optional: true },
      { limit: 'pids', file: 'pids.max', value: '32' },
      { limit: 'cpus', file: 'cpu.max', value: '50000 100000' },
    ]);
    expect(v2LimitWrites(limits({ memoryBytes: 64 * MiB, memorySwapBytes: 16 * MiB }), all)[1]).toEqual({ limit: 'memorySwapBytes', file: 'memory.swap.max', value: '16777216', optional: false });
    // A controller the parent does not enable gets no write (v1 enforces it, or nothing does).
    expect(v2LimitWrites(limits({ memoryBytes: 64 * MiB, pids: 32 }), ['pids'])).toEqual([{ limit: 'pids', file: 'pids.max', value: '32' }]);
    expect(v2LimitWrites(limits({ cpuTimeMs: 100 }), all)).toEqual([]);
  });

  it('statistics from the documented contents of cpu.stat, memory.events, memory.peak and pids.peak', () => {
    const files = new Map<string, string | undefined>([
      ['cpu.stat', 'usage_usec 1500000\nuser_usec 1200000\nsystem_usec 300000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 80000\nnr_bursts 0\nburst_usec 0\n'],
      ['memory.current', '1048576\n'],
      ['memory.peak', '67108864\n'],
      ['memory.events', 'low 0\nhigh 0\nmax 41\noom 1\noom_kill 1\noom_group_kill 1\n'],
      ['pids.current', '3\n'],
      ['pids.peak', '32\n'],
    ]);
    expect(parseV2Stats(files)).toEqual({ cpuUsageUs: 1500000, cpuUserUs: 1200000, cpuSystemUs: 300000, memoryBytes: MiB, memoryPeakBytes: 64 * MiB, oom: true, pids: 3, pidsPeak: 32 });
    // cpu.stat exists without the cpu controller (its first three keys); an older kernel lacks memory.peak.
    const bare = new Map<string, string | undefined>([['cpu.stat', 'usage_usec 10\nuser_usec 7\nsystem_usec 3\n'], ['memory.peak', undefined], ['memory.events', 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n']]);
    expect(parseV2Stats(bare)).toEqual({ cpuUsageUs: 10, cpuUserUs: 7, cpuSystemUs: 3, oom: false });
    expect(parseKeyed('populated 1\nfrozen 0\n')).toEqual(new Map([['populated', 1], ['frozen', 0]]));
  });

  it('written into and read back from a cgroup directory as the kernel lays it out', async () => {
    const dir = fakeCgroup({
      'cgroup.procs': '', 'cgroup.kill': '', 'cgroup.events': 'populated 0\nfrozen 0\n',
      'memory.max': 'max\n', 'memory.swap.max': 'max\n', 'memory.oom.group': '0\n', 'pids.max': 'max\n', 'cpu.max': 'max 100000\n',
      'cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\n', 'memory.current': '4096\n', 'memory.peak': '8192\n',
      'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n', 'pids.current': '1\n', 'pids.peak': '2\n',
    });
    const l = limits({ memoryBytes: 64 * MiB, pids: 32, cpus: 2, cpuTimeMs: 1000 });
    const controllers = ['memory', 'pids', 'cpu'];
    expect(await applyWrites(dir, v2LimitWrites(l, controllers))).toEqual([]);
    expect([read(dir, 'memory.max'), read(dir, 'memory.swap.max'), read(dir, 'memory.oom.group'), read(dir, 'pids.max'), read(dir, 'cpu.max')]).toEqual(['67108864', '0', '1', '32', '200000 100000']);

    const h: Hierarchy = { version: 2, controllers: [], mount: path.dirname(dir), root: '/', readonly: false, caller: '/' };
    const place: Placement = { hierarchy: h, parent: path.dirname(dir), dir, controllers, limits: ['memoryBytes', 'pids', 'cpus', 'cpuTimeMs'] };
    expect(await readCgroupStats([place])).toEqual({ cpuUsageUs: 2000, cpuUserUs: 1500, cpuSystemUs: 500, memoryBytes: 4096, memoryPeakBytes: 8192, oom: false, pids: 1, pidsPeak: 2 });

    const cg = new ContainerCgroup([place], [], 1000, true);
    expect(cg.bootstrap).toEqual({ cgroupTasks: [], cgroupDir: dir });
    // The reactor writes cgroup.kill, polls cpu.stat and reads the statistics files when the
    // init is reaped; v2 needs no OOM watch (memory.oom.group).
    const statFiles = ['cpu.stat', 'memory.current', 'memory.peak', 'memory.events', 'pids.current', 'pids.peak'].map((f) => path.join(dir, f));
    expect(cg.watch).toEqual({ killPath: path.join(dir, 'cgroup.kill'), cpuPath: path.join(dir, 'cpu.stat'), cpuLimitMs: 1000, statFiles, dirs: [dir] });
    expect(cg.statsFrom({ [statFiles[0]]: 'usage_usec 9\nuser_usec 5\nsystem_usec 4\n', [statFiles[5]]: '7\n' })).toEqual({ cpuUsageUs: 9, cpuUserUs: 5, cpuSystemUs: 4, pidsPeak: 7 });
    // Before 5.14 there is no cgroup.kill.
    expect(new ContainerCgroup([place], [], undefined, false).watch).toEqual({ statFiles, dirs: [dir] });
  });

  it('a file the kernel lacks is skipped where optional (swap accounting off), reported where not', async () => {
    const dir = fakeCgroup({ 'memory.max': 'max\n', 'memory.oom.group': '0\n' });
    expect(await applyWrites(dir, v2LimitWrites(limits({ memoryBytes: 64 * MiB }), ['memory']))).toEqual([]);
    const refused = await applyWrites(dir, v2LimitWrites(limits({ memoryBytes: 64 * MiB, memorySwapBytes: 0 }), ['memory']));
    expect(refused.map((r) => [r.write.file, r.error.code])).toEqual([['memory.swap.max', 'ENOENT']]);
  });

  it('the OOM killer ending the group (memory.events oom_group_kill) is the reason, whatever signal it used', () => {
    const killed = buildStatus({ code: null, signal: 9, wallMs: 10 });
    expect(killed.reason).toBe('signal');
    expect(withCgroupStats(killed, { oom: true })).toMatchObject({ reason: 'oom', oomKilled: true });
    // A limit of ours that ended it first stays the reason.
    expect(withCgroupStats(buildStatus({ code: null, signal: 9, wallMs: 10, endedBy: 'timeout' }), { oom: true })).toMatchObject({ reason: 'timeout', oomKilled: true });
    expect(withCgroupStats(buildStatus({ code: 0, signal: 0, wallMs: 10 }), { oom: false, cpuUserUs: 5000, cpuSystemUs: 1000, pidsPeak: 3 }).stats).toEqual({ wallMs: 10, cpuUserMs: 5, cpuSystemMs: 1, pidsPeak: 3 });
  });
});

describe('cgroup v1 interface files (cgroup-v1/)', () => {
  it('the memory limit before memory+swap (which may never be below it); the CFS quota at the default period', () => {
    expect(v1LimitWrites(limits({ memoryBytes: 64 * MiB, pids: 32, cpus: 0.5 }), ['memory'])).toEqual([
      { limit: 'memoryBytes', file: 'memory.limit_in_bytes', value: '67108864' },
      { limit: 'memorySwapBytes', file: 'memory.memsw.limit_in_bytes', value: '67108864', optional: true, after: true },
    ]);
    expect(v1LimitWrites(limits({ memoryBytes: 64 * MiB, memorySwapBytes: MiB }), ['memory'])[1]).toMatchObject({ value: String(65 * MiB), optional: false });
    expect(v1LimitWrites(limits({ pids: 32, cpus: 0.5 }), ['pids'])).toEqual([{ limit: 'pids', file: 'pids.max', value: '32' }]);
    expect(v1LimitWrites(limits({ cpus: 0.5 }), ['cpu', 'cpuacct'])).toEqual([{ limit: 'cpus', file: 'cpu.cfs_quota_us', value: '50000' }]);
    expect(cfsQuota(0.01)).toBe(1000);
  });

  it('statistics: peaks, memory.oom_control (under_oom comes before the kill), cpuacct in nanoseconds', () => {
    const files = new Map<string, string | undefined>([
      ['memory.usage_in_bytes', '1048576\n'],
      ['memory.max_usage_in_bytes', '67108864\n'],
      ['memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n'],
      ['pids.current', '2\n'],
      ['pids.peak', '32\n'],
      ['cpuacct.usage_user', '1200000000\n'],
      ['cpuacct.usage_sys', '300000000\n'],
      ['cpuacct.usage', '1500000000\n'],
    ]);
    expect(parseV1Stats(files)).toEqual({ memoryBytes: MiB, memoryPeakBytes: 64 * MiB, oom: true, pids: 2, pidsPeak: 32, cpuUserUs: 1200000, cpuSystemUs: 300000, cpuUsageUs: 1500000 });
    expect(parseV1Stats(new Map([['memory.oom_control', 'oom_kill_disable 0\nunder_oom 1\noom_kill 0\n']]))).toEqual({ oom: true });
    expect(parseV1Stats(new Map([['memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n']]))).toEqual({ oom: false });
  });

  it('a v1 memory cgroup: entered by stage 0, OOM notification watched by the reactor', () => {
    const h: Hierarchy = { version: 1, controllers: ['memory'], mount: '/sys/fs/cgroup/memory', root: '/', readonly: false, caller: '/a' };
    const place: Placement = { hierarchy: h, parent: '/sys/fs/cgroup/memory/a', dir: '/sys/fs/cgroup/memory/a/x', controllers: ['memory'], limits: ['memoryBytes'] };
    const cg = new ContainerCgroup([place], [], undefined, true);
    expect(cg.bootstrap).toEqual({ cgroupTasks: ['/sys/fs/cgroup/memory/a/x/tasks'], cgroupDir: undefined });
    expect(cg.watch).toEqual({
      oomControlPath: '/sys/fs/cgroup/memory/a/x/memory.oom_control',
      eventControlPath: '/sys/fs/cgroup/memory/a/x/cgroup.event_control',
      statFiles: ['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.oom_control'].map((f) => `/sys/fs/cgroup/memory/a/x/${f}`),
      dirs: ['/sys/fs/cgroup/memory/a/x'],
    });
  });
});

// Real mount tables (trimmed to their cgroup lines, plus one other).
const HYBRID_MOUNTINFO = [
  '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '25 24 0:22 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '26 24 0:23 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '28 24 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '30 24 0:27 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer',
  '32 24 0:29 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '33 24 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
  '34 24 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const HYBRID_CGROUP = '9:name=systemd:/\n8:pids:/\n6:freezer:/\n4:memory:/process_api/b504\n2:cpuacct:/\n1:cpu:/\n0::/\n';
const SYSTEMD_V2_MOUNTINFO = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot';
const SYSTEMD_V2_CGROUP = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n';
// Docker with a private cgroup namespace and no privileges: the root of its view, read-only.
const DOCKER_MOUNTINFO = '601 599 0:29 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate';
// Docker on the host's cgroup namespace: a sub-tree mounted, the caller's path in host terms.
const DOCKER_HOSTNS_MOUNTINFO = '601 599 0:29 /system.slice/docker-ab12.scope /sys/fs/cgroup rw,nosuid - cgroup2 cgroup rw';
const DOCKER_HOSTNS_CGROUP = '0::/system.slice/docker-ab12.scope\n';

describe('detecting the hierarchies and where the caller sits', () => {
  it('hybrid: v1 controllers each in their hierarchy, a controller-less v2 beside them', () => {
    const host = hierarchiesFrom(parseMountinfo(HYBRID_MOUNTINFO), parseProcCgroup(HYBRID_CGROUP));
    expect(host.v2).toEqual({ version: 2, controllers: [], mount: '/sys/fs/cgroup/unified', root: '/', readonly: false, caller: '/' });
    expect(host.v1.map((h) => [h.controllers.join(','), h.caller])).toEqual([['cpu', '/'], ['cpuacct', '/'], ['memory', '/process_api/b504'], ['freezer', '/'], ['pids', '/']]);
    const memory = host.v1.find((h) => h.controllers.includes('memory'))!;
    expect(dirOf(memory, memory.caller!)).toBe('/sys/fs/cgroup/memory/process_api/b504');
    expect(locate(host, '/sys/fs/cgroup/memory/process_api/b504/x')).toEqual({ hierarchy: memory, cgroupPath: '/process_api/b504/x' });
    expect(locate(host, '/sys/fs/cgroup/unified/a')?.hierarchy).toBe(host.v2);
    expect(locate(host, '/tmp')).toBeUndefined();
  });

  it('pure v2 under systemd: the caller in its scope', () => {
    const host = hierarchiesFrom(parseMountinfo(SYSTEMD_V2_MOUNTINFO), parseProcCgroup(SYSTEMD_V2_CGROUP));
    expect(host.v1).toEqual([]);
    expect(dirOf(host.v2!, host.v2!.caller!)).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope');
  });

  it('Docker: a read-only cgroupfs; on the host namespace a sub-tree whose root is the caller', () => {
    const ro = hierarchiesFrom(parseMountinfo(DOCKER_MOUNTINFO), parseProcCgroup('0::/\n'));
    expect(ro.v2).toMatchObject({ readonly: true, caller: '/', root: '/' });
    const sub = hierarchiesFrom(parseMountinfo(DOCKER_HOSTNS_MOUNTINFO), parseProcCgroup(DOCKER_HOSTNS_CGROUP));
    expect(dirOf(sub.v2!, sub.v2!.caller!)).toBe('/sys/fs/cgroup');
    expect(dirOf(sub.v2!, '/system.slice/other.scope')).toBeUndefined();
  });

  it('mount points with escaped spaces', () => {
    expect(parseMountinfo('40 24 0:40 / /mnt/cg\\040two rw - cgroup2 none rw')[0].mountPoint).toBe('/mnt/cg two');
  });
});

/** A hybrid host whose hierarchies are temp directories (mkdir works; the kernel's files are not there). */
function fakeHost(opts: { v2Controllers?: string; v1?: string[] } = {}): CgroupHost {
  const root = tempDir();
  const v2mount = path.join(root, 'unified');
  fs.mkdirSync(v2mount);
  fs.writeFileSync(path.join(v2mount, 'cgroup.procs'), '');
  fs.writeFileSync(path.join(v2mount, 'cgroup.subtree_control'), opts.v2Controllers ?? '');
  const v1 = (opts.v1 ?? []).map((c): Hierarchy => {
    fs.mkdirSync(path.join(root, c));
    return { version: 1, controllers: [c], mount: path.join(root, c), root: '/', readonly: false, caller: '/' };
  });
  return { v2: { version: 2, controllers: [], mount: v2mount, root: '/', readonly: false, caller: '/' }, v1 };
}
const noEnv: NodeJS.ProcessEnv = {};
const childrenOf = (d: string) => fs.readdirSync(d).filter((n) => n.startsWith('nsjail-ts-'));

describe("'strict' and 'best-effort' where a limit cannot be enforced", () => {
  it("a controller neither v2 enables nor a v1 hierarchy holds: strict names it and the command that enables it", async () => {
    const host = fakeHost();
    const e = await createContainerCgroup(limits({ memoryBytes: 64 * MiB }), noEnv, host).catch((x) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect(e.code).toBe('ERR_CONTAINER_CGROUP');
    expect(e.message).toContain('the memory controller');
    expect(e.message).toContain('limits.memoryBytes');
    expect(e.hint).toContain(`echo "+memory" > ${host.v2!.mount}/cgroup.subtree_control`);
    expect(childrenOf(host.v2!.mount)).toEqual([]); // nothing left behind
  });

  it('a limit file the cgroup refuses: strict says which file, the errno and what to do, and removes what it made', async () => {
    const host = fakeHost({ v1: ['memory'] });
    const memory = host.v1[0].mount;
    const e = await createContainerCgroup(limits({ memoryBytes: 64 * MiB }), noEnv, host).catch((x) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect(e).toMatchObject({ code: 'ENOENT', syscall: 'write' });
    expect(e.path).toMatch(new RegExp(`^${memory}/nsjail-ts-\\d+-${process.pid}-\\d+-[0-9a-f]+/memory.limit_in_bytes$`));
    expect(e.message).toContain('limits.memoryBytes');
    expect(e.hint).toMatch(/^Fix: /);
    expect(childrenOf(memory)).toEqual([]);
    expect(childrenOf(host.v2!.mount)).toEqual([]);
  });

  it("best-effort goes on with what it could make and names the rest", async () => {
    const host = fakeHost({ v1: ['memory', 'pids'] });
    fs.writeFileSync(path.join(host.v1[1].mount, 'pids.max'), ''); // not in the new cgroup: refused there
    const cg = (await createContainerCgroup(limits({ memoryBytes: 64 * MiB, cpus: 1, cpuTimeMs: 500, enforce: 'best-effort' }), noEnv, host))!;
    expect(cg.unenforced).toEqual(['memoryBytes', 'cpus']);
    // The v2 cgroup counts CPU time, so cpuTimeMs holds.
    expect(cg.watch).toMatchObject({ cpuLimitMs: 500 });
    expect(cg.dirs.map((d) => path.relative(path.dirname(host.v2!.mount), d).split('/')[0])).toEqual(['unified', 'memory']);
    await cg.remove();
    expect(childrenOf(host.v2!.mount)).toEqual([]);
    expect(childrenOf(host.v1[0].mount)).toEqual([]);
  });

  it("the caller's cgroup hidden from the mount (a cgroup namespace): strict explains", async () => {
    const host = fakeHost({ v1: ['memory'] });
    host.v1[0].caller = undefined;
    const e = await createContainerCgroup(limits({ memoryBytes: 64 * MiB }), noEnv, host).catch((x) => x);
    expect(e).toBeInstanceOf(ContainerError);
    expect(e.hint).toContain('is not visible under');
  });

  it('cgroupParent (or NSJAIL_TS_CGROUP_PARENT) that is not a cgroup directory is a ConfigError naming the field', async () => {
    const host = fakeHost({ v1: ['memory'] });
    const field = async (l: object, env: NodeJS.ProcessEnv = noEnv) => ((await createContainerCgroup(limits({ memoryBytes: 64 * MiB, ...l }), env, host).catch((x) => x)) as ConfigError);
    const notCgroup = await field({ cgroupParent: os.tmpdir() });
    expect(notCgroup).toBeInstanceOf(ConfigError);
    expect(notCgroup.field).toBe('limits.cgroupParent');
    expect(notCgroup.message).toMatch(/is not a cgroup directory: .* is in no cgroup file system/);
    expect((await field({ cgroupParent: path.join(host.v1[0].mount, 'missing') })).message).toMatch(/is not a cgroup directory: .*missing \(ENOENT\)/);
    expect((await field({ cgroupParent: [host.v1[0].mount, host.v1[0].mount] })).message).toMatch(/names two directories of the hierarchy/);
    const env = await field({}, { NSJAIL_TS_CGROUP_PARENT: '/nope' });
    expect(env).toBeInstanceOf(ConfigError);
    expect(env.field).toBe('NSJAIL_TS_CGROUP_PARENT');
    expect((await field({}, { NSJAIL_TS_CGROUP_PARENT: 'relative' })).field).toBe('NSJAIL_TS_CGROUP_PARENT');
  });

  it('no cgroup limit, no cgroup', async () => {
    expect(await createContainerCgroup(limits({ wallTimeMs: 100, rlimits: { nofile: 64 } }), noEnv, fakeHost())).toBeNull();
  });
});
