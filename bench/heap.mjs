#!/usr/bin/env node
// A big caller: with 1 GiB of touched Buffers in this process, how much slower does a
// start get? child_process.spawn forks Node (its page tables grow with the heap); a
// sandbox is started from the reactor thread by the zygote or posix_spawn, which copy
// nothing of it. Interleaved runs, before and after the heap is filled.
//
//   node bench/heap.mjs [--runs N] [--mib 1024] [--json-out FILE]
import { Container } from 'nsjail-ts';
import { arg, median, spawnExit, verdict, writeJson } from './common.mjs';

const RUNS = Number(arg('runs', 100));
const MIB = Number(arg('mib', 1024));

async function measure() {
  const out = { spawn: [], run: [] };
  for (let i = 0; i < 10; i++) {
    await spawnExit('/bin/true', []);
    await Container.run({ args: ['/bin/true'] });
  }
  for (let i = 0; i < RUNS; i++) {
    out.spawn.push(await spawnExit('/bin/true', []));
    const t = performance.now();
    await Container.run({ args: ['/bin/true'] });
    out.run.push(performance.now() - t);
  }
  return { spawn: median(out.spawn), run: median(out.run) };
}

const small = await measure();
const heap = [];
for (let i = 0; i < MIB; i++) heap.push(Buffer.alloc(1 << 20, i & 0xff)); // touched: every page written
const big = await measure();
heap.length = 0;

const ratio = big.run / small.run;
console.log(`with ${MIB} MiB of touched Buffers in the caller, medians of ${RUNS} runs each`);
console.log('');
console.log(`${''.padEnd(22)} ${'small heap'.padStart(11)} ${`+${MIB} MiB`.padStart(11)} ${'ratio'.padStart(7)}`);
console.log(`${'child_process.spawn'.padEnd(22)} ${small.spawn.toFixed(2).padStart(11)} ${big.spawn.toFixed(2).padStart(11)} ${(big.spawn / small.spawn).toFixed(2).padStart(7)}`);
console.log(`${'Container.run'.padEnd(22)} ${small.run.toFixed(2).padStart(11)} ${big.run.toFixed(2).padStart(11)} ${ratio.toFixed(2).padStart(7)}`);
console.log(`\nContainer.run with the big heap / without = ${ratio.toFixed(2)} (target <= 1.1) ${verdict(ratio, 1.1)}`);
writeJson({ runs: RUNS, mib: MIB, small, big, targets: [{ what: 'Container.run big heap / small heap', value: ratio, target: 1.1 }] });
