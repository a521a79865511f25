/**
 * Starting an instance costs ~0.5 ms of synchronous work (encode, socketpairs,
 * posix_spawn). Sixty-four create() calls in one tick would block the event loop for all
 * of it at once; through this queue each start gets a macrotask of its own, and timers
 * and I/O run in between.
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

/** Runs fn on a later turn of the event loop, one queued job per turn. */
export function inTurn<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push(() => {
      try {
        resolve(fn());
      } catch (e) {
        reject(e);
      }
    });
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}
