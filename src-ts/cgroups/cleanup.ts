/**
 * The names of the cgroups this library creates, and their removal: by destroy(), and
 * for those of an owner that died (SIGKILL leaves no chance to clean up) by the next
 * start of any owner that shares the parent.
 *
 * A name says whose it is: nsjail-ts-<pid namespace>-<pid>-<start time>-<random>. The
 * owner is gone when no process of our pid namespace has that pid with that start time
 * (a pid reused since has another). Names of other pid namespaces, and anything not
 * named so, are never touched.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFsError, readIfExists, readText, sleep, statFields, writeText } from './files.js';
import { parseProcs } from './v1.js';
import { V2_FILES, parsePopulated } from './v2.js';

const NAME = /^nsjail-ts-(\d+)-(\d+)-(\d+)-[0-9a-f]+$/;

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(stat: string): string | undefined {
  return statFields(stat)[19];
}

let ownTag: Promise<string> | undefined;
async function ownerTag(): Promise<string> {
  ownTag ??= Promise.all([fs.promises.readlink('/proc/self/ns/pid'), readText('/proc/self/stat')]).then(
    ([ns, stat]) => `${/\d+/.exec(ns)?.[0] ?? 0}-${process.pid}-${startTimeOf(stat) ?? 0}`,
  );
  return ownTag;
}

/** A new cgroup name of this process. */
export async function newCgroupName(): Promise<string> {
  return `nsjail-ts-${await ownerTag()}-${randomBytes(4).toString('hex')}`;
}

async function ownerAlive(pid: number, start: string): Promise<boolean> {
  const stat = await readIfExists(`/proc/${pid}/stat`);
  return stat !== undefined && startTimeOf(stat) === start;
}

/** Whether `name` is one of ours whose owner (of our pid namespace) has gone. */
async function isStale(name: string, ourNs: string): Promise<boolean> {
  const m = NAME.exec(name);
  if (!m || m[1] !== ourNs) return false;
  return !(await ownerAlive(Number(m[2]), m[3]));
}

/** Ends whatever is left in one of our cgroups: cgroup.kill (v2), else SIGKILL to each listed process. */
async function killRest(dir: string, version: 1 | 2): Promise<void> {
  // cgroup.kill is write-only: tried, not read; before Linux 5.14 it is not there.
  if (version === 2)
    try {
      await writeText(`${dir}/${V2_FILES.kill}`, '1');
      return;
    } catch (e) {
      if (!isFsError(e, 'ENOENT')) throw e;
    }
  const procs = await readIfExists(`${dir}/${V2_FILES.procs}`);
  for (const pid of parseProcs(procs ?? ''))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
}

async function populated(dir: string, version: 1 | 2): Promise<boolean> {
  const text = await readIfExists(`${dir}/${version === 2 ? V2_FILES.events : V2_FILES.procs}`);
  if (text === undefined) return false;
  return version === 2 ? parsePopulated(text) : parseProcs(text).length > 0;
}

/**
 * rmdir once every process is gone. A cgroup stays busy for a moment after its last
 * process was reaped: retried for up to about a second; what is still inside by then is
 * killed. Resolves whether or not it could be removed (false: it is still there).
 */
export async function removeCgroupDir(dir: string, version: 1 | 2): Promise<boolean> {
  let wait = 1;
  for (let tried = 0; ; tried++) {
    try {
      await fs.promises.rmdir(dir);
      return true;
    } catch (e) {
      if (isFsError(e, 'ENOENT')) return true;
      if (!isFsError(e, 'EBUSY') || tried >= 12) return false;
    }
    if (tried === 6 && (await populated(dir, version).catch(() => false))) await killRest(dir, version).catch(() => {});
    await sleep(wait);
    wait = Math.min(wait * 2, 200);
  }
}

const SWEEP_EVERY_MS = 1000;
const lastSweep = new Map<string, number>();

/**
 * Removes, in the background, the cgroups under `parent` whose owner has died; at most
 * once a second per parent, so that starting containers stays cheap.
 */
export function sweepStale(parent: string, version: 1 | 2): void {
  const now = Date.now();
  if (now - (lastSweep.get(parent) ?? 0) < SWEEP_EVERY_MS) return;
  lastSweep.set(parent, now);
  const sweep = (async () => {
    const ourNs = (await ownerTag()).split('-')[0];
    const entries = await fs.promises.readdir(parent, { withFileTypes: true });
    for (const e of entries) {
      if (!e.isDirectory() || !(await isStale(e.name, ourNs))) continue;
      const dir = path.join(parent, e.name);
      if (await populated(dir, version)) await killRest(dir, version);
      await removeCgroupDir(dir, version);
    }
  })().catch(() => {
    // a parent we may not read, a race with another sweeper: the next one tries again
  });
  sweeps.add(sweep);
  void sweep.finally(() => sweeps.delete(sweep));
}

const sweeps = new Set<Promise<void>>();

/** Resolves once the sweeps under way are done (for tests: their reads hold fds meanwhile). */
export async function sweepsDone(): Promise<void> {
  while (sweeps.size) await Promise.all([...sweeps]);
}
