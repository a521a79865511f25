#!/usr/bin/env node
// Throughput: 200 sandboxes, 8 in flight at any time (a test runner's shape), against
// 200 child_process.spawn the same way; and through a pool of 8. Rounds alternate.
//
//   node bench/throughput.mjs [--n 200] [--inflight 8] [--rounds 3] [--json-out FILE]
import { Container } from 'nsjail-ts';
import { arg, median, spawnExit, writeJson } from './common.mjs';

const N = Number(arg('n', 200));
const INFLIGHT = Number(arg('inflight', 8));
const ROUNDS = Number(arg('rounds', 3));

/** Runs `one` N times with INFLIGHT at once; sandboxes per second. */
async function throughput(one) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next++ < N) await one();
    }),
  );
  return (N * 1000) / (performance.now() - t);
}

const pool = await Container.pool({}, { size: INFLIGHT });
const contenders = [
  { name: 'child_process.spawn', one: () => spawnExit('/bin/true', []) },
  { name: 'Container.run', one: () => Container.run({ args: ['/bin/true'] }) },
  { name: `pool.run (size ${INFLIGHT})`, one: () => pool.run(['/bin/true']) },
];
await throughput(contenders[1].one); // warm-up
const results = new Map(contenders.map((c) => [c.name, []]));
for (let r = 0; r < ROUNDS; r++) for (const c of contenders) results.get(c.name).push(await throughput(c.one));
await pool.close();

const rows = contenders.map((c) => ({ name: c.name, perSecond: median(results.get(c.name)) }));
const spawnRate = rows[0].perSecond;
console.log(`${N} sandboxes, ${INFLIGHT} in flight, median of ${ROUNDS} rounds`);
console.log('');
for (const r of rows) console.log(`${r.name.padEnd(24)} ${r.perSecond.toFixed(0).padStart(6)} /s ${(r.perSecond / spawnRate).toFixed(2).padStart(6)} x spawn`);
// Higher is better: the target is spawn's rate or more.
const ratio = rows[1].perSecond / spawnRate;
console.log(`\nContainer.run throughput / spawn's = ${ratio.toFixed(2)} (target >= 1) ${ratio >= 1 ? 'OK' : `SHORT by ${((1 - ratio) * 100).toFixed(0)}%`}`);
writeJson({ n: N, inflight: INFLIGHT, rounds: ROUNDS, rows, targets: [{ what: 'Container.run throughput / spawn (higher is better)', value: ratio, target: 1, higherIsBetter: true }] });
