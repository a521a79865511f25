/**
 * Routes the addon's events (one stream per Node environment) to their instances.
 *
 * Node hands every queued thread-safe-function call to JS in one go; with many sandboxes
 * starting at once that is a burst of events, each resolving promises whose
 * continuations run user code. So events are dispatched in turns of about a millisecond,
 * yielding to the continuations each event triggers before the next, and what is left
 * after a turn waits for the next turn of the event loop. An event that finds no backlog
 * (a run ending, say) is dispatched at once, in the turn it arrived.
 */
import { native, type NativeEvent } from './native.js';

type Listener = (event: NativeEvent) => void;
const listeners = new Map<number, Listener>();
let installed = false;

const TURN_MS = 1;
let queue: NativeEvent[] = [];
let head = 0;
let draining = false;

// What is left of this turn's dispatch time. Node hands a batch of events over in one
// turn (one thread-safe call each): the budget spans the whole turn, not one call.
let budgetEnds = 0;
let turnOpen = false;
function turnDeadline(): number {
  if (!turnOpen) {
    turnOpen = true;
    budgetEnds = performance.now() + TURN_MS;
    setImmediate(() => {
      turnOpen = false;
    });
  }
  return budgetEnds;
}

function enqueue(event: NativeEvent): void {
  queue.push(event);
  if (!draining) {
    draining = true;
    void drain();
  }
}

async function drain(): Promise<void> {
  while (head < queue.length) {
    if (performance.now() > turnDeadline()) {
      setImmediate(drain); // the rest in a later turn; timers and I/O go first
      return;
    }
    const event = queue[head++];
    listeners.get(event.handle)?.(event);
    // What this event resolved runs now, before the next event (FIFO microtasks).
    await null;
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

// Tokens for closeInReactor: above every instance handle (24 bits).
const FIRST_TOKEN = 0x1000000;
let nextToken = FIRST_TOKEN;

/**
 * Closes fds on the addon's closer thread (not the reactor's: its events must not wait
 * either) and resolves once they are closed. For fds whose last close is work (a
 * container's mount namespace: every mount of it goes), which must not land on the event
 * loop.
 */
export function closeInReactor(fds: number[]): Promise<void> {
  if (!fds.length) return Promise.resolve();
  ensureReactor();
  const token = nextToken;
  nextToken = nextToken >= 0xfffffff0 ? FIRST_TOKEN : nextToken + 1;
  return new Promise<void>((resolve) => {
    listeners.set(token, () => {
      listeners.delete(token);
      resolve();
    });
    native.closeFds(token, fds);
  });
}
