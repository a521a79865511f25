/**
 * The caller's side of a container's pty: the master fd the main process sent us,
 * as an output stream and an input stream. Reading the master after the last slave is
 * closed fails with EIO: that is the end of the output, not an error. Output is read
 * from the master only as fast as the caller reads it.
 */
import { PassThrough, Writable, type Readable } from 'node:stream';
import * as tty from 'node:tty';
import { native } from './native.js';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export class Terminal {
  /** What the main process writes to its terminal (stdout and stderr, as a terminal shows them). */
  readonly output: Readable;
  /** What the main process reads from its terminal. */
  readonly input: Writable;
  private readonly master: tty.ReadStream;
  private readonly fd: number;
  private closed = false;

  constructor(fd: number) {
    this.fd = fd;
    this.master = new tty.ReadStream(fd);
    const out = new PassThrough();
    this.output = out;
    // Backpressure: output nobody reads waits in the pty (whose writer then blocks), not here.
    // Once the caller has destroyed the output, what the process writes is dropped.
    this.master.on('data', (d: Buffer) => {
      if (!out.destroyed && !out.write(d)) this.master.pause();
    });
    out.on('drain', () => this.master.resume());
    out.on('close', () => this.master.resume());
    this.master.on('end', () => out.end());
    this.master.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EIO') out.end();
      else out.destroy(e);
    });
    this.master.on('close', () => {
      this.closed = true;
      if (!out.writableEnded) out.end();
    });
    const master = this.master;
    this.input = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (master.destroyed) return cb(); // nobody reads any more
        master.write(chunk, () => cb());
      },
    });
  }

  resize(size: TerminalSize): boolean {
    if (this.closed) return false;
    return native.resizeTerminal(this.fd, size.cols, size.rows) === 0;
  }

  destroy(): void {
    this.master.destroy();
    this.input.destroy();
  }
}
