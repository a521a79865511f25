// An idle neighbour: a second Node process that does nothing but measure its own
// event-loop lag, so that a benchmark can show what the machine alone (cores shared with
// the sandboxes it builds) does to any event loop, next to its own lag.
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let h;
  process.on('message', (cmd) => {
    if (cmd === 'start') {
      h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      process.send('ok');
    } else {
      h.disable();
      process.send({ max: h.max / 1e6, p99: h.percentile(99) / 1e6 });
    }
  });
  setInterval(() => {}, 1 << 30);
}

/** measure(fn): fn's time and result, this process's lag and the neighbour's meanwhile (max and p99, ms). */
export function startNeighbour() {
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (cmd) => new Promise((resolve) => { child.once('message', resolve); child.send(cmd); });
  return {
    async measure(fn) {
      const lag = monitorEventLoopDelay({ resolution: 1 });
      await ask('start');
      lag.enable();
      // The histogram's first tick only sets its baseline: a turn blocked before it (say,
      // 64 synchronous spawns) would go unrecorded. Let it tick first.
      await new Promise((r) => setTimeout(r, 5));
      const t = performance.now();
      const result = await fn();
      const ms = performance.now() - t;
      lag.disable();
      const idle = await ask('stop');
      return { ms, result, maxLagMs: lag.max / 1e6, p99LagMs: lag.percentile(99) / 1e6, neighbourMaxMs: idle.max, neighbourP99Ms: idle.p99 };
    },
    stop: () => child.kill(),
  };
}
