#!/usr/bin/env node
// Startup latency of a sandboxed /bin/true, against child_process.spawn and bubblewrap
// with the same isolation, interleaved in one run so that machine noise hits all of them
// alike; from a warm pool; and what cgroup limits add (a container's cgroups are made,
// entered, read and removed in every run). Prints medians, p90s, ratios and the targets
// of issue 11. Timing targets live here, never in tests.
//
//   node bench/startup.mjs [--runs N] [--json-out FILE]
import * as os from 'node:os';
import { Container } from 'nsjail-ts';
import { arg, BWRAP_ARGS, pct, spawnExit, verdict, which, writeJson } from './common.mjs';

const RUNS = Number(arg('runs', 200));
const WARMUP = 20;

const timed = (fn) => async () => {
  const t = performance.now();
  const r = await fn();
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
  return performance.now() - t;
};

// From a warm pool: start to exit (pool.run), the pool full again before each timing.
const pool = await Container.pool({}, { size: 2 });
const full = async () => {
  while (pool.idle < pool.size) await new Promise((r) => setTimeout(r, 1));
};

const contenders = [
  { name: 'child_process.spawn', run: () => spawnExit('/bin/true', []) },
  { name: 'Container.run', run: timed(() => Container.run({ args: ['/bin/true'] })) },
  { name: 'Container.run init:false', run: timed(() => Container.run({ args: ['/bin/true'], init: false })) },
  {
    name: 'pool.run (warm)',
    run: async () => {
      await full();
      return timed(() => pool.run(['/bin/true']))();
    },
  },
];
// With limits: one v2 cgroup (cpuTimeMs needs only CPU accounting), and every limit (on a
// hybrid machine also a v1 cgroup for each of memory, pids and cpu).
const LIMITED = {
  'Container.run cpuTimeMs': { cpuTimeMs: 60_000 },
  'Container.run limits': { memoryBytes: 256 << 20, pids: 64, cpus: 1, cpuTimeMs: 60_000 },
};
let noCgroups;
try {
  await Container.run({ args: ['/bin/true'], limits: LIMITED['Container.run limits'] });
} catch (e) {
  noCgroups = e.message;
}
if (!noCgroups)
  for (const [name, limits] of Object.entries(LIMITED)) contenders.push({ name, run: timed(() => Container.run({ args: ['/bin/true'], limits })) });
const bwrap = which('bwrap');
if (bwrap) contenders.push({ name: 'bwrap', run: () => spawnExit(bwrap, BWRAP_ARGS) });

for (let i = 0; i < WARMUP; i++) for (const c of contenders) await c.run();
const samples = new Map(contenders.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) {
  // Rotate the order too: no contender always runs right after another.
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(i + k) % contenders.length];
    samples.get(c.name).push(await c.run());
  }
}
await pool.close();

const base = pct(samples.get('child_process.spawn'), 50);
const rows = contenders.map((c) => {
  const xs = samples.get(c.name);
  return { name: c.name, median: pct(xs, 50), p90: pct(xs, 90), ratio: pct(xs, 50) / base };
});
const row = (name) => rows.find((r) => r.name === name);
const ours = row('Container.run');
const targets = [
  { what: 'Container.run / spawn', value: ours.ratio, target: 2.2 },
  ...(bwrap ? [{ what: 'Container.run / bwrap', value: ours.median / row('bwrap').median, target: 0.7 }] : []),
  { what: 'pool.run (warm) / spawn', value: row('pool.run (warm)').ratio, target: 1.0 },
];
const limitCosts = noCgroups ? [] : Object.keys(LIMITED).map((name) => ({ what: `${name} - Container.run (ms)`, value: row(name).median - ours.median, target: 0.3 }));

console.log(`startup latency, ${RUNS} interleaved runs each (${os.cpus().length} cpus, Linux ${os.release()}, Node ${process.version})`);
console.log('');
console.log(`${'contender'.padEnd(26)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(9)} ${'x spawn'.padStart(8)}`);
for (const r of rows) console.log(`${r.name.padEnd(26)} ${r.median.toFixed(2).padStart(10)} ${r.p90.toFixed(2).padStart(9)} ${r.ratio.toFixed(2).padStart(8)}`);
if (!bwrap) console.log('\n(bwrap not installed: apt-get install bubblewrap to compare)');
console.log('');
for (const t of [...targets, ...limitCosts]) console.log(`${t.what} = ${t.value.toFixed(2)} (target <= ${t.target}) ${verdict(t.value, t.target)}`);
if (noCgroups) console.log(`\n(no cgroup limits here: ${noCgroups.split('. Fix:')[0]})`);
writeJson({ runs: RUNS, rows, targets: [...targets, ...limitCosts] });
