/**
 * stdio for a container's process (main or exec'd), as child_process does it: 'pipe' is
 * an AF_UNIX stream socketpair whose far end the container gets and whose near end
 * becomes a net.Socket; 'inherit' passes our own fd; 'ignore' gives /dev/null.
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
  /** Closes everything of ours: the process is gone, or never started. */
  destroy(): void;
  /** Whether our ends keep the event loop alive (a pooled container's do not while it waits). */
  setRef(on: boolean): void;
}

function ignoreBrokenPipe(stream: Writable): void {
  // The container may exit without reading its stdin; that is not the caller's error.
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET' && stream.listenerCount('error') === 1) throw e;
  });
}

/** What one stdio entry gives the container, and our side of it. */
interface Slot {
  /** The fd the container gets a copy of (-1: /dev/null, opened inside). */
  childFd: number;
  /** Our end of a 'pipe'. */
  near: net.Socket | null;
  /** An fd we opened for the container, closed once it has its copy. */
  farEnd?: number;
}

export function openStdio(entries: StdioEntry[]): StdioSet {
  const slots: Slot[] = [];
  try {
    entries.forEach((e, i) => slots.push(openSlot(e, i)));
  } catch (err) {
    for (const slot of slots) closeSlot(slot);
    throw err;
  }
  return stdioSet(slots);
}

function openSlot(e: StdioEntry, i: number): Slot {
  if (e === 'pipe') return openPipe(i);
  if (e === 'inherit') return { childFd: i, near: null };
  // 0, 1 and 2 become /dev/null inside; an extra fd needs one of ours to copy.
  if (e === 'ignore' && i < 3) return { childFd: -1, near: null };
  if (e === 'ignore') {
    const fd = fs.openSync('/dev/null', 'r+');
    return { childFd: fd, near: null, farEnd: fd };
  }
  return { childFd: e, near: null };
}

/** stdin is written by us, stdout and stderr read; extra fds go both ways, as in child_process. */
function openPipe(i: number): Slot {
  const [ours, theirs] = native.socketpair();
  try {
    const near = new net.Socket({ fd: ours, readable: i !== 0, writable: i === 0 || i > 2, allowHalfOpen: i > 2 });
    return { childFd: theirs, near, farEnd: theirs };
  } catch (err) {
    native.close(ours);
    native.close(theirs);
    throw err;
  }
}

function closeSlot(slot: Slot): void {
  slot.near?.destroy();
  if (slot.farEnd !== undefined) native.close(slot.farEnd);
}

function stdioSet(slots: Slot[]): StdioSet {
  const near = slots.map((s) => s.near);
  const farEnds = slots.flatMap((s) => (s.farEnd === undefined ? [] : [s.farEnd]));
  const stdin = near[0];
  if (stdin) ignoreBrokenPipe(stdin);
  // The far ends go to the addon (which closes them after the spawn) or are closed here, once.
  let farGone = false;
  const takeFarEnds = () => {
    const out = farGone ? [] : farEnds;
    farGone = true;
    return out;
  };
  return {
    childFds: [slots[0].childFd, slots[1].childFd, slots[2].childFd],
    extraFds: slots.slice(3).map((s) => s.childFd),
    stdin,
    stdout: near[1],
    stderr: near[2],
    extra: near.slice(3),
    transferFarEnds: takeFarEnds,
    destroy() {
      for (const fd of takeFarEnds()) native.close(fd);
      for (const s of near) s?.destroy();
    },
    setRef(on) {
      for (const s of near) if (s) on ? s.ref() : s.unref();
    },
  };
}
