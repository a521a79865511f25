#!/usr/bin/env node
// What one sandbox costs the machine in CPU time (every process and the kernel, the
// namespaces' asynchronous teardown included), one at a time: the ceiling on throughput
// (2 cores / CPU per sandbox), whatever the library does with its own time. Also the
// CPU of this Node process alone (JS, the addon's threads).
//
//   node bench/cpu.mjs [--runs N] [--json-out FILE]
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Container } from 'nsjail-ts';
import { BWRAP_ARGS, arg, spawnExit, which, writeJson } from './common.mjs';

const RUNS = Number(arg('runs', 300));
const TICK_MS = 10; // /proc/stat counts in USER_HZ (100 on Linux)

/** Busy jiffies of the whole machine (all but idle and iowait). */
function machineBusy() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - f[3] - f[4];
}
const settle = () => new Promise((r) => setTimeout(r, 300)); // the kernel's deferred work (a net namespace's cleanup) lands in the window

const bwrap = which('bwrap');
const contenders = [
  ['child_process.spawn', () => spawnExit('/bin/true', [])],
  ['Container.run', () => Container.run({ args: ['/bin/true'] })],
  ['Container.run, no net namespace', () => Container.run({ args: ['/bin/true'], namespaces: ['user', 'pid', 'mount', 'uts', 'ipc', 'cgroup'] })],
  ...(bwrap ? [['bwrap', () => spawnExit(bwrap, BWRAP_ARGS)]] : []),
];

const rows = [];
for (const [name, one] of contenders) {
  for (let i = 0; i < 20; i++) await one();
  await settle();
  const busy0 = machineBusy();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) await one();
  const wallMs = (performance.now() - t0) / RUNS;
  const own = process.cpuUsage(own0);
  await settle();
  const machineMs = ((machineBusy() - busy0) * TICK_MS) / RUNS;
  rows.push({ name, wallMs, machineCpuMs: machineMs, nodeCpuMs: (own.user + own.system) / 1000 / RUNS });
}

console.log(`CPU time per sandbox, ${RUNS} one after another (${os.cpus().length} cpus, Linux ${os.release()}, Node ${process.version})`);
console.log('');
console.log(`${'contender'.padEnd(34)} ${'wall ms'.padStart(8)} ${'machine CPU ms'.padStart(15)} ${'this Node ms'.padStart(13)} ${'ceiling /s'.padStart(11)}`);
const cores = os.cpus().length;
for (const r of rows)
  console.log(
    `${r.name.padEnd(34)} ${r.wallMs.toFixed(2).padStart(8)} ${r.machineCpuMs.toFixed(2).padStart(15)} ${r.nodeCpuMs.toFixed(2).padStart(13)} ${((cores * 1000) / r.machineCpuMs).toFixed(0).padStart(11)}`,
  );
console.log('');
console.log(`(ceiling: ${cores} cores / machine CPU per sandbox; "this Node": JS and the addon's threads)`);
writeJson({ runs: RUNS, cores, rows });
