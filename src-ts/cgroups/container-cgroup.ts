/**
 * The cgroups one container lives in (made by limits.ts): what stage 0 needs to enter
 * them, what the reactor holds, how to end everything in them, what they say the
 * container used, and their removal.
 */
import * as path from 'node:path';
import type { CgroupLimitName } from '../config-limits.js';
import type { BootstrapSpec, CgroupWatchPaths } from '../native.js';
import { removeCgroupDir } from './cleanup.js';
import type { Hierarchy } from './detect.js';
import type { CgroupStats } from './formats.js';
import { parseCgroupFiles, readCgroupStats, statFilesOf } from './stats.js';
import { freezeAndKill, V1_FILES } from './v1.js';
import { V2_FILES } from './v2.js';

/** One cgroup of the container, in one hierarchy. */
export interface Placement {
  hierarchy: Hierarchy;
  parent: string;
  dir: string;
  /** The controllers it has that nsjail-ts uses (v2: those its parent enables). */
  controllers: string[];
  /** The requested limits it enforces. */
  limits: CgroupLimitName[];
}

export class ContainerCgroup {
  private removed?: Promise<void>;

  constructor(
    readonly placements: readonly Placement[],
    /** 'best-effort': the requested limits none of them enforces. */
    readonly unenforced: CgroupLimitName[],
    /** The CPU time budget the reactor enforces, when a cgroup counts CPU time. */
    private readonly cpuTimeMs: number | undefined,
    /** The kernel has cgroup.kill (5.14+). */
    private readonly hasKill: boolean,
  ) {}

  private get v2(): Placement | undefined {
    return this.placements.find((p) => p.hierarchy.version === 2);
  }

  private v1(controller: string): Placement | undefined {
    return this.placements.find((p) => p.hierarchy.version === 1 && p.controllers.includes(controller));
  }

  /** The v1 memory cgroup, when memory is limited there. */
  private get v1Memory(): Placement | undefined {
    const p = this.v1('memory');
    return p && p.limits.includes('memoryBytes') ? p : undefined;
  }

  /** Every directory, for tests and diagnostics. */
  get dirs(): string[] {
    return this.placements.map((p) => p.dir);
  }

  /** Stage 0 writes "0" into each v1 tasks file and clones stage 1 into the v2 directory. */
  get bootstrap(): Pick<BootstrapSpec, 'cgroupTasks' | 'cgroupDir'> {
    return {
      cgroupTasks: this.placements.filter((p) => p.hierarchy.version === 1).map((p) => path.join(p.dir, V1_FILES.tasks)),
      cgroupDir: this.v2?.dir,
    };
  }

  /** What the reactor holds: cgroup.kill, the CPU usage against cpuTimeMs, v1's OOM notification. */
  get watch(): CgroupWatchPaths | undefined {
    const w: CgroupWatchPaths = {};
    const v2 = this.v2;
    if (v2 && this.hasKill) w.killPath = path.join(v2.dir, V2_FILES.kill);
    const cpuacct = this.v1('cpuacct');
    const acct = v2 ? path.join(v2.dir, V2_FILES.cpuStat) : cpuacct && path.join(cpuacct.dir, V1_FILES.cpuUsage);
    if (this.cpuTimeMs !== undefined && acct) {
      w.cpuPath = acct;
      w.cpuLimitMs = this.cpuTimeMs;
    }
    // v2 needs no watch: memory.oom.group has the kernel end the whole cgroup.
    const mem = this.v1Memory;
    if (mem) {
      w.oomControlPath = path.join(mem.dir, V1_FILES.oomControl);
      w.eventControlPath = path.join(mem.dir, V1_FILES.eventControl);
    }
    const stats = this.placements.flatMap(statFilesOf);
    if (stats.length) w.statFiles = stats;
    if (this.placements.length) w.dirs = this.dirs;
    return Object.keys(w).length ? w : undefined;
  }

  /**
   * Ends every process in it where the reactor cannot (no cgroup.kill): through the v1
   * freezer. With cgroup.kill the reactor's kill has done it already.
   */
  async kill(): Promise<void> {
    if (this.v2 && this.hasKill) return;
    const freezer = this.v1('freezer');
    if (freezer) await freezeAndKill(freezer.dir).catch(() => {});
  }

  /** Read now. */
  stats(): Promise<CgroupStats> {
    return readCgroupStats(this.placements);
  }

  /** From the statistics files' text the reactor read (path -> text). */
  statsFrom(files: Record<string, string>): CgroupStats {
    return parseCgroupFiles(this.placements, (p) => files[p]);
  }

  /**
   * Removes the directories (once every process is gone); idempotent. `only`: the reactor
   * removed the others already (they are gone when the instance is released).
   */
  remove(only?: readonly string[]): Promise<void> {
    const left = only ? this.placements.filter((p) => only.includes(p.dir)) : this.placements;
    this.removed ??= Promise.all(left.map((p) => removeCgroupDir(p.dir, p.hierarchy.version))).then(() => {});
    return this.removed;
  }
}
