/**
 * A container's files from the caller's side (README.md, "Files"): readFile, writeFile,
 * copyIn, copyOut, changes() and a run's outputs, from create() until destroy(), also
 * once the main process has ended. They act inside the container's mount namespace,
 * which Node cannot enter: through the file agent (file-agent.ts), started on first use
 * and kept until destroy(). Paths are the container's, resolved inside its root; a
 * symlink as the last component is never followed, and a walk never goes through one.
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as path from 'node:path';
import { buildFileAgentBootstrap } from './bootstrap.js';
import type { NormalizedConfig, StdioEntry } from './config.js';
import { fileMode } from './config-files.js';
import { normalTarget } from './config-filesystem.js';
import { absPath, describe, isPlainObject, onlyKnownKeys, str } from './config-values.js';
import { ConfigError, ContainerError } from './errors.js';
import { FileAgent, FrameReader, readWalk, type Entry } from './file-agent.js';
import type { HeldFds } from './held-fds.js';
import type { Instance } from './instance.js';
import type { BootstrapSpec } from './native.js';
import { classify, overlaysOf, type Change } from './overlays.js';
import type { StdioSet } from './stdio.js';

/**
 * Starts a process of the init program (container.ts spawns, and waits for it to be
 * ready). `owned`: fds among the stdio entries that are the addon's from the call on.
 */
export type SpawnAgent = (spec: BootstrapSpec, stdio: StdioEntry[], owned: number[]) => Promise<{ instance: Instance; stdio: StdioSet }>;

/**
 * The agent's own copies of the held fds, made now (while they are open): the spawn
 * happens later on the addon's thread, and destroy() may close ours before it.
 */
function copies(held: HeldFds): { own: Map<string, number>; nested: Map<string, number>; layers: number[] } {
  const made: number[] = [];
  const copy = (fd: number) => {
    made.push(fs.openSync(`/proc/self/fd/${fd}`, fs.constants.O_RDONLY));
    return made[made.length - 1];
  };
  try {
    const map = (m: Map<string, number>) => new Map([...m].map(([k, fd]) => [k, copy(fd)]));
    return { own: map(held.own), nested: map(held.nested), layers: held.layers.map(copy) };
  } catch (e) {
    for (const fd of made) fs.closeSync(fd);
    throw e;
  }
}

const CHUNK = 1 << 20;

/** A host file, read a chunk at a time. */
async function* readChunks(file: string): AsyncGenerator<Uint8Array> {
  const h = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    for (;;) {
      const { bytesRead, buffer } = await h.read(Buffer.allocUnsafe(CHUNK), 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await h.close();
  }
}

/** A relative path from the agent is used on the host only if it is plainly below. */
function safeRelative(rel: string): boolean {
  return rel === '' || rel.split('/').every((c) => c !== '' && c !== '.' && c !== '..' && !c.includes('\0'));
}

/** A directory on the host, never through a symlink that is already there. */
async function hostDir(dir: string): Promise<void> {
  try {
    await fs.promises.mkdir(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (!(await fs.promises.lstat(dir)).isDirectory())
      throw new ContainerError(`copyOut: ${dir} exists and is not a directory (a symlink is not followed)`, { code: 'EEXIST', path: dir });
  }
}

async function hostFile(file: string, contents: Buffer, mode: number): Promise<void> {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;
  // Never set-user-ID or set-group-ID on the host, whatever the container made.
  const h = await fs.promises.open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode & 0o777);
  try {
    await h.writeFile(contents);
    await h.chmod(mode & 0o777);
  } finally {
    await h.close();
  }
}

/** A walk's files into `files`, keyed by their paths inside (below the output `out`). */
function gather(files: Record<string, Buffer>, out: string) {
  return (e: Entry, contents?: Buffer) => {
    if (contents && safeRelative(e.path)) files[e.path === '' ? out : path.posix.join(out, e.path)] = contents;
  };
}

/** An output that is missing or unreadable is left out; the channel breaking is not. */
function leftOut(e: unknown): void {
  if (!(e instanceof ContainerError) || e.code === 'ERR_CONTAINER_FILES') throw e;
}

/**
 * A run's outputs as the reaper sends them once the main process has ended (the near end
 * of the outputs socket): the files, or undefined if it stopped short (the container was
 * killed; the file agent reads them then).
 */
export async function outputsFromReaper(socket: net.Socket, outputs: string[]): Promise<Record<string, Buffer> | undefined> {
  const reader = new FrameReader(socket);
  const files: Record<string, Buffer> = {};
  try {
    for (const out of outputs) await readWalk(reader, out, gather(files, out)).catch(leftOut);
    return files;
  } catch {
    return undefined;
  } finally {
    socket.destroy();
  }
}

export class ContainerFiles {
  private agent?: Promise<FileAgent>;
  private closed = false;
  /** Where the agent has the upper layer of overlay i. */
  private layerFd: (i: number) => number = () => -1;

  constructor(
    private readonly id: string,
    private readonly config: NormalizedConfig,
    private readonly spec: BootstrapSpec,
    private readonly held: HeldFds,
    private readonly spawn: SpawnAgent,
    private readonly logLevel: number,
  ) {}

  /** The agent, started on first use (also a way to start it early: Container.run with outputs). */
  start(what = 'file access', where?: string): Promise<FileAgent> {
    if (this.closed)
      throw new ContainerError(`${what}${where ? ` ${where}` : ''}: container ${this.id} has been destroyed`, { code: 'ERR_CONTAINER_DESTROYED', path: where });
    this.agent ??= (async () => {
      if (!this.held.own.has('mnt'))
        throw new ContainerError(`${what}: container ${this.id} has no mount namespace of its own to reach (or its handles were not received)`, {
          code: 'ERR_CONTAINER_FILES',
        });
      const fds = copies(this.held);
      const { spec, extraFds, layerFd } = buildFileAgentBootstrap(this.spec, fds, fds.layers, this.logLevel);
      this.layerFd = layerFd;
      const { instance, stdio } = await this.spawn(spec, ['pipe', 'pipe', 'ignore', ...extraFds], extraFds);
      return new FileAgent(instance, stdio);
    })();
    return this.agent;
  }

  private path(p: unknown, what: string): string {
    return normalTarget(absPath(p, `${what}: path`));
  }

  async readFile(p: string): Promise<Buffer> {
    const where = this.path(p, 'readFile');
    return (await this.start('readFile', where)).readFile(where);
  }

  async writeFile(p: string, data: string | Uint8Array, options?: { mode?: number }): Promise<void> {
    const where = this.path(p, 'writeFile');
    const o = options ?? {};
    if (!isPlainObject(o)) throw new ConfigError('writeFile: options', `must be an object, got ${describe(o)}`);
    onlyKnownKeys(o, ['mode'], 'writeFile: options.', 'a writeFile option');
    const mode = o.mode === undefined ? 0o644 : fileMode(o.mode, 'writeFile: options.mode');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('writeFile: data must be a string or a Buffer');
    await (await this.start('writeFile', where)).writeFile(where, bytes, mode);
  }

  /** A host file or folder to `p` in the container (symlinks and special files are left out). */
  async copyIn(hostPath: string, p: string): Promise<void> {
    const from = str(hostPath, 'copyIn: hostPath');
    const where = this.path(p, 'copyIn');
    const agent = await this.start('copyIn', where);
    const copy = async (src: string, dst: string): Promise<void> => {
      const st = await fs.promises.lstat(src);
      if (st.isFile()) return agent.writeFile(dst, readChunks(src), st.mode & 0o1777);
      if (!st.isDirectory()) return;
      await agent.mkdir(dst, st.mode & 0o1777);
      for (const name of await fs.promises.readdir(src)) await copy(path.join(src, name), path.posix.join(dst, name));
    };
    await copy(from, where);
  }

  /**
   * `p` in the container to the host folder `hostDir` (made if missing): a file as
   * hostDir/<its name>, a folder's contents below hostDir. Only files and folders are
   * copied; modes lose set-user-ID, set-group-ID and sticky bits.
   */
  async copyOut(p: string, hostDirPath: string): Promise<void> {
    const where = this.path(p, 'copyOut');
    const to = str(hostDirPath, 'copyOut: hostDir');
    const agent = await this.start('copyOut', where);
    await fs.promises.mkdir(to, { recursive: true });
    await agent.walk(where, async (e, contents) => {
      if (!safeRelative(e.path)) return;
      const target = e.path === '' ? (e.kind === 'file' ? path.join(to, path.posix.basename(where)) : to) : path.join(to, e.path);
      if (e.kind === 'dir' && e.path !== '') await hostDir(target);
      else if (e.kind === 'file' && contents) await hostFile(target, contents, e.mode);
    });
  }

  /** Run outputs: each path's file, or every file below a folder, keyed by its path inside; what is missing or unreadable is left out. */
  async collect(outputs: string[]): Promise<Record<string, Buffer>> {
    const files: Record<string, Buffer> = {};
    const agent = await this.start('outputs');
    for (const out of outputs) await agent.walk(out, gather(files, out)).catch(leftOut);
    return files;
  }

  /** What the program changed in every overlay (and the writable root), sorted by path. */
  async changes(): Promise<Change[]> {
    const overlays = overlaysOf(this.config);
    if (overlays.length === 0) return [];
    const agent = await this.start('changes');
    const out: Change[] = [];
    for (const [i, o] of overlays.entries()) {
      if (i >= this.held.layers.length) throw new ContainerError(`changes: the upper layer of the overlay at ${o.target} was not received`, { code: 'ERR_CONTAINER_FILES' });
      out.push(...(await classify(await agent.layer(this.layerFd(i), o.target), o)));
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Ends the agent; no file access after this. */
  async close(): Promise<void> {
    this.closed = true;
    const agent = await this.agent?.catch(() => undefined);
    await agent?.close();
  }
}
