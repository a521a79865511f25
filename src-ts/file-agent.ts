/**
 * The caller's side of the file agent (src-native/nsexec/file_agent.h): readFile,
 * writeFile, walks (copyOut, run outputs) and an overlay's changes, as frames on the
 * agent's stdin and stdout (src-native/protocol/files.h). One request at a time. File
 * contents stream in chunks both ways, with backpressure, and a file read back is
 * copied chunk by chunk into a buffer of its announced size: a 100 MiB file never costs
 * the event loop more than one chunk's work at a time.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { ContainerError } from './errors.js';
import type { Instance } from './instance.js';
import { FileFrame, native } from './native.js';
import type { StdioSet } from './stdio.js';

const CHUNK = native.constants.fileChunk;
const HEADER = 8;

interface Frame {
  type: number;
  payload: Buffer;
}

/** Frames off a stream; a DATA frame's payload comes in pieces as it arrives (never joined). */
export class FrameReader {
  private readonly frames: Frame[] = [];
  private waiter?: { resolve(f: Frame): void; reject(e: Error): void };
  private ended?: Error;
  private readonly head = Buffer.alloc(HEADER);
  private headLen = 0;
  private type = 0;
  private left = 0;
  private body: Buffer[] = [];

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => this.push(chunk));
    const end = () => this.end(new ContainerError('the file agent has ended', { code: 'ERR_CONTAINER_FILES' }));
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  next(): Promise<Frame> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private emit(f: Frame): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(f);
    } else this.frames.push(f);
  }

  private end(e: Error): void {
    this.ended ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.ended);
  }

  private push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.headLen < HEADER) {
        const n = chunk.copy(this.head, this.headLen, at, Math.min(chunk.length, at + HEADER - this.headLen));
        this.headLen += n;
        at += n;
        if (this.headLen < HEADER) return;
        this.left = this.head.readUInt32LE(0);
        this.type = this.head.readUInt32LE(4);
        if (this.left === 0) this.finishFrame();
        continue;
      }
      const piece = chunk.subarray(at, at + Math.min(this.left, chunk.length - at));
      at += piece.length;
      this.left -= piece.length;
      if (this.type === FileFrame.Data) this.emit({ type: this.type, payload: piece });
      else this.body.push(piece);
      if (this.left === 0) this.finishFrame();
    }
  }

  private finishFrame(): void {
    if (this.type !== FileFrame.Data || this.body.length) this.emit({ type: this.type, payload: Buffer.concat(this.body) });
    this.body = [];
    this.headLen = 0;
  }
}

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other' | 'whiteout';
const KINDS: Record<number, EntryKind> = { 1: 'file', 2: 'dir', 3: 'symlink', 4: 'other', 5: 'whiteout' };

export interface Entry {
  /** Relative to the request's path ('' for itself); for changes(), '/'-led within the layer. */
  path: string;
  kind: EntryKind;
  mode: number;
  size: number;
  /** An overlay directory that hides what the lower layer has below it. */
  opaque: boolean;
  /** Seen, but the agent could not open it. */
  unreadable: boolean;
}

function entryOf(p: Buffer): Entry {
  const flags = p.readUInt32LE(16);
  return {
    kind: KINDS[p.readUInt32LE(0)] ?? 'other',
    mode: p.readUInt32LE(4),
    size: Number(p.readBigUInt64LE(8)),
    opaque: (flags & 1) !== 0,
    unreadable: (flags & 2) !== 0,
    path: p.subarray(24).toString('utf8'),
  };
}

/** The agent's ERROR frame as a ContainerError naming the path. */
function errorOf(p: Buffer, path: string): ContainerError {
  const errno = p.readUInt32LE(0);
  const [syscall, what] = p.subarray(4).toString('utf8').split('\0');
  return ContainerError.fromRecord({ errno, syscall: syscall || undefined, path, detail: what || undefined });
}

/** A buffer filled from DATA pieces up to END; sized as announced, trimmed if less came. */
async function collect(reader: FrameReader, size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let filled = 0;
  for (;;) {
    const f = await reader.next();
    if (f.type === FileFrame.End) return filled === size ? out : out.subarray(0, filled);
    if (f.type !== FileFrame.Data) throw new ContainerError(`the file agent sent frame ${f.type} inside a file`, { code: 'ERR_CONTAINER_FILES' });
    filled += f.payload.copy(out, filled);
  }
}

/**
 * The replies to a walk of `path` (an agent's, or the reaper's outputs): each entry, and
 * each file's contents, to `onEntry`, until DONE.
 */
export async function readWalk(reader: FrameReader, path: string, onEntry: (e: Entry, contents?: Buffer) => void | Promise<void>): Promise<void> {
  for (;;) {
    const f = await reader.next();
    if (f.type === FileFrame.Error) throw errorOf(f.payload, path);
    if (f.type === FileFrame.Done) return;
    const e = entryOf(f.payload);
    await onEntry(e, e.kind === 'file' && !e.unreadable ? await collect(reader, e.size) : undefined);
  }
}

function frame(type: number, payload: Buffer): Buffer[] {
  const head = Buffer.allocUnsafe(HEADER);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(type, 4);
  return [head, payload];
}

function withValue(value: number, path: string): Buffer {
  const p = Buffer.from(`\0\0\0\0${path}`, 'utf8');
  p.writeUInt32LE(value, 0);
  return p;
}

export class FileAgent {
  private readonly reader: FrameReader;
  private readonly input: Writable;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly instance: Instance,
    private readonly stdio: StdioSet,
  ) {
    this.reader = new FrameReader(stdio.stdout!);
    this.input = stdio.stdin!;
  }

  /** One request at a time: each waits for the one before to be answered in full. */
  private turn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private async send(type: number, payload: Buffer): Promise<void> {
    let ok = true;
    for (const b of frame(type, payload)) ok = this.input.write(b) && ok;
    if (!ok) await once(this.input, 'drain');
  }

  private async reply(path: string): Promise<Frame> {
    const f = await this.reader.next();
    if (f.type === FileFrame.Error) throw errorOf(f.payload, path);
    return f;
  }

  readFile(path: string): Promise<Buffer> {
    return this.turn(async () => {
      await this.send(FileFrame.ReqRead, Buffer.from(path, 'utf8'));
      const f = await this.reply(path);
      return collect(this.reader, Number(f.payload.readBigUInt64LE(0)));
    });
  }

  /** `data` whole or in pieces (a host file read as it goes). */
  writeFile(path: string, data: Uint8Array | AsyncIterable<Uint8Array>, mode: number): Promise<void> {
    return this.turn(async () => {
      await this.send(FileFrame.ReqWrite, withValue(mode, path));
      const pieces = data instanceof Uint8Array ? [data] : data;
      let failed: unknown;
      try {
        for await (const piece of pieces)
          for (let at = 0; at < piece.length; at += CHUNK) {
            const b = Buffer.from(piece.buffer, piece.byteOffset + at, Math.min(CHUNK, piece.length - at));
            await this.send(FileFrame.Data, b);
          }
      } catch (e) {
        failed = e; // the source broke off (a host file): the request still ends, in step
      }
      await this.send(FileFrame.End, Buffer.alloc(0));
      await this.reply(path);
      if (failed) throw failed;
    });
  }

  mkdir(path: string, mode: number): Promise<void> {
    return this.turn(async () => {
      await this.send(FileFrame.ReqMkdir, withValue(mode, path));
      await this.reply(path);
    });
  }

  /** `path` and everything below it: each entry, and each file's contents. */
  walk(path: string, onEntry: (e: Entry, contents?: Buffer) => void | Promise<void>): Promise<void> {
    return this.turn(async () => {
      await this.send(FileFrame.ReqWalk, Buffer.from(path, 'utf8'));
      await readWalk(this.reader, path, onEntry);
    });
  }

  /** Everything in an overlay's upper layer (`fd`: where the agent has it). */
  layer(fd: number, what: string): Promise<Entry[]> {
    return this.turn(async () => {
      await this.send(FileFrame.ReqChanges, withValue(fd, ''));
      const out: Entry[] = [];
      for (;;) {
        const f = await this.reply(what);
        if (f.type === FileFrame.Done) return out;
        out.push(entryOf(f.payload));
      }
    });
  }

  /** Ends the agent and frees everything of it. */
  async close(): Promise<void> {
    this.input.end();
    await this.instance.destroy();
    this.stdio.destroy();
  }
}
