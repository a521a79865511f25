/**
 * stdio for a container's main process, as child_process does it: 'pipe' is an AF_UNIX
 * stream socketpair whose far end the container gets and whose near end becomes a
 * net.Socket; 'inherit' passes our own fd; 'ignore' gives /dev/null.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { StdioEntry } from './config.js';
import { native } from './native.js';

export interface StdioSet {
  /** What the container gets at 0, 1, 2 (-1: /dev/null). */
  childFds: [number, number, number];
  /** What it gets at 3, 4, ... */
  extraFds: number[];
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Near ends of extra 'pipe' entries (index 3 is extra[0]). */
  extra: Array<Duplex | null>;
  /** Our copies of the far ends, handed to the addon (which closes them after the spawn). */
  transferFarEnds(): number[];
  /** Create failed: close everything. */
  destroy(): void;
}

function ignoreBrokenPipe(stream: Writable): void {
  // The container may exit without reading its stdin; that is not the caller's error.
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET' && stream.listenerCount('error') === 1) throw e;
  });
}

export function openStdio(entries: StdioEntry[]): StdioSet {
  const farEnds: number[] = [];
  const sockets: net.Socket[] = [];
  const childFds: number[] = [];
  const near: Array<net.Socket | null> = [];
  try {
    entries.forEach((e, i) => {
      if (e === 'pipe') {
        const [ours, theirs] = native.socketpair();
        farEnds.push(theirs);
        childFds.push(theirs);
        const s = new net.Socket({ fd: ours, readable: i !== 0, writable: i === 0 || i > 2, allowHalfOpen: i > 2 });
        sockets.push(s);
        near.push(s);
      } else if (e === 'inherit') {
        childFds.push(i);
        near.push(null);
      } else if (e === 'ignore') {
        if (i < 3) childFds.push(-1);
        else {
          const fd = fs.openSync('/dev/null', 'r+');
          farEnds.push(fd);
          childFds.push(fd);
        }
        near.push(null);
      } else {
        childFds.push(e);
        near.push(null);
      }
    });
  } catch (err) {
    for (const s of sockets) s.destroy();
    for (const fd of farEnds) native.close(fd);
    throw err;
  }
  const stdin = near[0];
  if (stdin) ignoreBrokenPipe(stdin);
  let farGone = false;
  const closeFar = () => {
    if (farGone) return;
    farGone = true;
    for (const fd of farEnds) native.close(fd);
  };
  return {
    childFds: [childFds[0], childFds[1], childFds[2]],
    extraFds: childFds.slice(3),
    stdin,
    stdout: near[1],
    stderr: near[2],
    extra: near.slice(3),
    transferFarEnds() {
      if (farGone) return [];
      farGone = true;
      return farEnds;
    },
    destroy() {
      closeFar();
      for (const s of sockets) s.destroy();
    },
  };
}
