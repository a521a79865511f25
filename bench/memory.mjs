#!/usr/bin/env node
// Our own memory per live, idle container: everything besides the user's program. 50
// containers run `sleep`; what they cost is the reapers' (stage 2) proportional set size
// (PSS: shared pages divided among their sharers), the zygote's share, and this Node
// process's growth (its RSS: handles, streams, events) — divided by 50.
//
//   node bench/memory.mjs [--n 50] [--json-out FILE]
import * as fs from 'node:fs';
import { Container } from 'nsjail-ts';
import { arg, verdict, writeJson } from './common.mjs';

const N = Number(arg('n', 50));

function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
function children(pid) {
  const out = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}
const named = (pid, name) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(name);
  } catch {
    return false;
  }
};
// The kernel's side, for the record (not in the target: it includes the programs' own page
// tables and stacks): slab (namespaces, mounts, sockets), kernel stacks, page tables.
const kernelKb = () => {
  const m = fs.readFileSync('/proc/meminfo', 'utf8');
  const v = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(m)?.[1] ?? 0);
  return v('Slab') + v('KernelStack') + v('PageTables');
};
const rssKb = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);

await Container.run({ args: ['/bin/true'] }); // the reactor, the zygote, the memfd: paid once
global.gc?.();
const before = rssKb();
const kernelBefore = kernelKb();
const containers = [];
for (let i = 0; i < N; i++) {
  const c = await Container.create({ args: ['/bin/sleep', '600'] });
  c.start();
  containers.push(c);
}
await new Promise((r) => setTimeout(r, 500));
global.gc?.();
const grown = rssKb() - before;
const kernelGrown = kernelKb() - kernelBefore;
const reapers = children(process.pid).filter((p) => named(p, 'nsj:[2:INIT]'));
const reaperPss = reapers.reduce((n, p) => n + pssKb(p), 0);
const zygote = children(process.pid).filter((p) => named(p, 'nsj:[zygote]'));
const zygotePss = zygote.reduce((n, p) => n + pssKb(p), 0);
await Promise.all(containers.map((c) => c.destroy()));

const perKb = (reaperPss + zygotePss + Math.max(0, grown)) / N;
console.log(`${N} idle containers (running sleep): ${reapers.length} reapers`);
console.log('');
console.log(`reapers' PSS, each        ${(reaperPss / Math.max(1, reapers.length)).toFixed(0).padStart(6)} KiB`);
console.log(`the zygote's PSS / ${N}      ${(zygotePss / N).toFixed(0).padStart(6)} KiB`);
console.log(`Node's RSS growth / ${N}     ${(grown / N).toFixed(0).padStart(6)} KiB`);
console.log(`(kernel: slab, stacks, page tables, with the programs' own: ${(kernelGrown / N).toFixed(0)} KiB each)`);
console.log(`\nour memory per idle container = ${(perKb / 1024).toFixed(2)} MiB (target <= 1 MiB) ${verdict(perKb / 1024, 1)}`);
writeJson({ n: N, reaperPssKb: reaperPss / Math.max(1, reapers.length), zygotePssKb: zygotePss, nodeGrowthKb: grown, kernelKbEach: kernelGrown / N, targets: [{ what: 'MiB per idle container', value: perKb / 1024, target: 1 }] });
