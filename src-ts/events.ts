/**
 * Routes the addon's events (one stream per Node environment) to their instances.
 *
 * Node hands every queued thread-safe-function call to JS in one go; with many sandboxes
 * starting at once that is a burst of events, each resolving promises whose
 * continuations run user code. So events are queued and dispatched in turns of about a
 * millisecond, yielding to the continuations each event triggers before the next: the
 * event loop gets a say between turns.
 */
import { native, type NativeEvent } from './native.js';

type Listener = (event: NativeEvent) => void;
const listeners = new Map<number, Listener>();
let installed = false;

const TURN_MS = 1;
let queue: NativeEvent[] = [];
let head = 0;
let draining = false;

function enqueue(event: NativeEvent): void {
  queue.push(event);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
}

async function drain(): Promise<void> {
  const deadline = performance.now() + TURN_MS;
  while (head < queue.length) {
    const event = queue[head++];
    listeners.get(event.handle)?.(event);
    // What this event resolved runs now, before the next event (FIFO microtasks).
    await null;
    if (performance.now() > deadline && head < queue.length) {
      setImmediate(drain);
      return;
    }
  }
  queue = [];
  head = 0;
  draining = false;
}

/** Makes sure the reactor exists before the first spawn. */
export function ensureReactor(): void {
  if (installed) return;
  native.setEventHandler(enqueue);
  installed = true;
}

export function listen(handle: number, fn: Listener): void {
  ensureReactor();
  listeners.set(handle, fn);
}

export function unlisten(handle: number): void {
  listeners.delete(handle);
}
