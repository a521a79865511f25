/**
 * What file access to a container needs after its init has gone (until destroy()): our
 * own copies of its user and mount namespaces (and, for a container whose mounts are
 * locked, of the nested ones; src-native/setup/mount_lock.h), and the upper layer of each
 * of its overlays. The addon hands them over with its 'nsfds' events; the file agent
 * (file-agent.ts) joins through them. The reactor keeps its own copies only while the init
 * runs, which is why exec is refused once the container has stopped.
 */
import { closeInReactor } from './events.js';
import { native, type NativeEvent } from './native.js';

const KEPT = new Set(['user', 'mnt']);
const LAYERS = 2;

export class HeldFds {
  /** By /proc/<pid>/ns name; the nested ones of a locked container. */
  readonly own = new Map<string, number>();
  readonly nested = new Map<string, number>();
  /** The overlays' upper layers, in mount order. */
  readonly layers: number[] = [];
  private closed = false;

  /** Takes the fds of an 'nsfds' event: keeps what file access needs, closes the rest. */
  take(ev: Extract<NativeEvent, { type: 'nsfds' }>): void {
    const fds = ev.fds ?? [];
    if (this.closed) {
      for (const fd of fds) if (fd >= 0) native.close(fd);
      return;
    }
    if (ev.scope === LAYERS) {
      this.layers.push(...fds.filter((fd) => fd >= 0));
      return;
    }
    const types = ev.types.split(',');
    const into = ev.locked ? this.nested : this.own;
    fds.forEach((fd, i) => {
      if (fd < 0) return; // the addon could not copy it: file access will say so
      if (KEPT.has(types[i]) && !into.has(types[i])) into.set(types[i], fd);
      else native.close(fd);
    });
  }

  /**
   * Closes them all, on the addon's closer thread: the last fd of a mount namespace takes the
   * whole namespace down with it (every mount of the container), which is not work for
   * the event loop (libuv may close inline through io_uring, on this thread).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const fds = [...this.own.values(), ...this.nested.values(), ...this.layers];
    this.own.clear();
    this.nested.clear();
    this.layers.length = 0;
    await closeInReactor(fds);
  }
}
