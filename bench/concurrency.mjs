#!/usr/bin/env node
// 64 sandboxes created at once from one Node process: how long until all have run, and
// how long the event loop was ever blocked meanwhile (goal: < 10 ms), against 64
// child_process.spawn and 64 bwrap at once. Rounds alternate between contenders.
//
//   node bench/concurrency.mjs [--n 64] [--rounds 10] [--json-out FILE]
import { startNeighbour } from './neighbour.mjs';
import { Container } from 'nsjail-ts';
import { arg, median, spawnExit, verdict, which, writeJson } from './common.mjs';

await main();

async function main() {
  const N = Number(arg('n', 64));
  const ROUNDS = Number(arg('rounds', 10));
  const bwrap = which('bwrap');

  const contenders = [
    { name: 'child_process.spawn', one: () => spawnExit('/bin/true', []) },
    {
      name: 'Container.create+start',
      one: async () => {
        const c = await Container.create({ args: ['/bin/true'] });
        const r = await c.start().output();
        await c.destroy();
        if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
      },
    },
  ];
  if (bwrap)
    contenders.push({
      name: 'bwrap',
      one: () =>
        spawnExit(bwrap, ['--unshare-all', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--die-with-parent', '--new-session', '/bin/true']),
    });

  // What the machine alone does to any event loop, next to ours (bench/neighbour.mjs).
  const neighbour = startNeighbour();
  async function round(c) {
    const m = await neighbour.measure(() => Promise.all(Array.from({ length: N }, () => c.one())));
    return { wall: m.ms, maxLagMs: m.maxLagMs, p99LagMs: m.p99LagMs, neighbourMaxMs: m.neighbourMaxMs, neighbourP99Ms: m.neighbourP99Ms };
  }

  await round(contenders[1]); // warm-up: memfd, reactor, seccomp cache
  const results = new Map(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) for (const c of contenders) results.get(c.name).push(await round(c));

  neighbour.stop();
  const rows = contenders.map((c) => {
    const rs = results.get(c.name);
    const m = (k) => median(rs.map((x) => x[k]));
    return { name: c.name, wallMs: m('wall'), p99LagMs: m('p99LagMs'), maxLagMs: m('maxLagMs'), worstLagMs: Math.max(...rs.map((x) => x.maxLagMs)), neighbourP99Ms: m('neighbourP99Ms'), neighbourMaxMs: m('neighbourMaxMs') };
  });
  console.log(`${N} at once, ${ROUNDS} rounds each (medians over rounds): wall time for all ${N}; event-loop lag of this`);
  console.log(`process (p99, max; worst round) and of an idle neighbour Node process in the same rounds (p99, max)`);
  console.log('');
  console.log(`${'contender'.padEnd(24)} ${'wall ms'.padStart(8)} ${'/item'.padStart(6)} ${'lag p99'.padStart(8)} ${'max'.padStart(6)} ${'worst'.padStart(6)} ${'idle p99'.padStart(9)} ${'max'.padStart(6)}`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(24)} ${r.wallMs.toFixed(0).padStart(8)} ${(r.wallMs / N).toFixed(2).padStart(6)} ${r.p99LagMs.toFixed(1).padStart(8)} ${r.maxLagMs.toFixed(1).padStart(6)} ${r.worstLagMs.toFixed(1).padStart(6)} ${r.neighbourP99Ms.toFixed(1).padStart(9)} ${r.neighbourMaxMs.toFixed(1).padStart(6)}`,
    );
  const ours = rows[1];
  // The lag target: under 10 ms, or no worse than what an idle process saw meanwhile.
  const lagTarget = Math.max(10, ours.neighbourMaxMs);
  const targets = [
    { what: `${N} at once: wall / spawn's`, value: ours.wallMs / rows[0].wallMs, target: 1.5 },
    { what: `${N} at once: max lag ms (target: 10, or the idle neighbour's ${ours.neighbourMaxMs.toFixed(1)})`, value: ours.maxLagMs, target: lagTarget },
  ];
  console.log('');
  for (const t of targets) console.log(`${t.what} = ${t.value.toFixed(2)} (target <= ${t.target.toFixed(1)}) ${verdict(t.value, t.target)}`);
  writeJson({ n: N, rounds: ROUNDS, rows, targets });
}
