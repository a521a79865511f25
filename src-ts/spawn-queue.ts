/**
 * Starting an instance costs some synchronous work (encode, socketpairs, queueing the
 * spawn). Sixty-four create() calls in one tick would block the event loop for all of it
 * at once; through this queue at most one start runs per turn of the event loop, and
 * timers and I/O run in between. The first start of a turn runs at once: a lone start
 * waits for nothing.
 */
const queue: Array<() => void> = [];
let pumping = false;

function pump(): void {
  const job = queue.shift();
  if (!job) {
    pumping = false;
    return;
  }
  try {
    job();
  } finally {
    if (queue.length) setImmediate(pump);
    else pumping = false;
  }
}

/** Runs fn now if no start ran in this turn, else on a later turn, one per turn. */
export function inTurn<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const job = () => {
      try {
        resolve(fn());
      } catch (e) {
        reject(e);
      }
    };
    if (pumping) {
      queue.push(job);
      return;
    }
    pumping = true; // this turn's start: later ones in the same turn wait for the next
    setImmediate(pump);
    job();
  });
}
