#!/usr/bin/env node
// What files cost: a run with five small fixtures and one output against the same run
// without (goal: < 0.5 ms more), interleaved in one run so machine noise hits all alike;
// then a 100 MiB fixture in and a 100 MiB file out (readFile, writeFile), with the
// event-loop lag of this process meanwhile.
//
//   node bench/files.mjs [--runs N] [--json-out FILE]
import * as os from 'node:os';
import { Container } from 'nsjail-ts';
import { startNeighbour } from './neighbour.mjs';
import { arg, pct, writeJson } from './common.mjs';

const RUNS = Number(arg('runs', 200));
const WARMUP = 20;

// The same program in every case (a shell builtin: no further exec): it writes the output,
// which only some read back.
const program = (dir) => ({ args: ['/bin/sh', '-c', `read x < ${dir}/a.txt 2>/dev/null; echo a > ${dir}/out.txt`] });
const fixtures = (dir) => Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [`${dir}/${n}.txt`, `fixture ${n}\n`]));
// CPU time of this process (JavaScript, the addon's thread, libuv's threads; not the
// stages), in ms: less at the mercy of a busy machine than wall time.
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
const cpu = new Map();
const timed = async (name, config, options) => {
  const c0 = cpuMs();
  const t = performance.now();
  const r = await Container.run(config, options);
  if (r.exitCode !== 0 && r.exitCode !== 1) throw new Error(`exit ${r.exitCode}: ${r.stderr}`);
  const ms = performance.now() - t;
  cpu.set(name, (cpu.get(name) ?? 0) + cpuMs() - c0);
  return ms;
};
const contenders = [
  { name: 'run, no files', run: (n) => timed(n, program('/tmp')) },
  { name: '5 fixtures + 1 output (/tmp)', run: (n) => timed(n, { ...program('/tmp'), files: fixtures('/tmp') }, { outputs: ['/tmp/out.txt'] }) },
  { name: '5 fixtures + 1 output (/app)', run: (n) => timed(n, { ...program('/app'), files: fixtures('/app') }, { outputs: ['/app/out.txt'] }) },
  { name: 'a tmpfs at /app, no files', run: (n) => timed(n, { ...program('/app'), mounts: [{ type: 'tmpfs', target: '/app' }] }) },
];

for (let i = 0; i < WARMUP; i++) for (const c of contenders) await c.run('warmup');
const samples = new Map(contenders.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++)
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(i + k) % contenders.length];
    samples.get(c.name).push(await c.run(c.name));
  }
const base = pct(samples.get('run, no files'), 50);
const baseCpu = cpu.get('run, no files') / RUNS;
const rows = contenders.map((c) => ({
  name: c.name,
  median: pct(samples.get(c.name), 50),
  p90: pct(samples.get(c.name), 90),
  extra: pct(samples.get(c.name), 50) - base,
  cpu: cpu.get(c.name) / RUNS,
  extraCpu: cpu.get(c.name) / RUNS - baseCpu,
}));

// 100 MiB each way, three times: the time, the worst lag of this process, and of an idle
// neighbour in the same moments (what the machine alone does: bench/neighbour.mjs).
const big = Buffer.alloc(100 << 20, 7);
const neighbour = startNeighbour();
const big100 = { in: [], out: [], write: [] };
for (let i = 0; i < 3; i++) {
  let c;
  big100.in.push(await neighbour.measure(async () => (c = await Container.create({ args: ['/bin/true'], files: { '/data/big': big } }))));
  await c.start().wait();
  const out = await neighbour.measure(() => c.readFile('/data/big'));
  if (!out.result.equals(big)) throw new Error('100 MiB came back different');
  big100.out.push({ ...out, result: undefined });
  big100.write.push(await neighbour.measure(() => c.writeFile('/tmp/big', big)));
  await c.destroy();
  big100.in.at(-1).result = undefined;
}
neighbour.stop();

writeJson({ runs: RUNS, rows, big100 });
console.log(`files, ${RUNS} interleaved runs each (${os.cpus().length} cpus, Linux ${os.release()}, Node ${process.version})`);
console.log('');
console.log(`${'contender'.padEnd(30)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(9)} ${'+ms'.padStart(7)} ${'cpu ms'.padStart(8)} ${'+cpu'.padStart(6)}`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(30)} ${r.median.toFixed(2).padStart(10)} ${r.p90.toFixed(2).padStart(9)} ${r.extra.toFixed(2).padStart(7)} ${r.cpu.toFixed(2).padStart(8)} ${r.extraCpu.toFixed(2).padStart(6)}`,
  );
console.log("(cpu ms: this process's CPU time per run, the stages' not counted)");
const ours = rows.find((r) => r.name === '5 fixtures + 1 output (/tmp)');
console.log(`\n5 fixtures + 1 output cost ${ours.extra.toFixed(2)} ms more than none (goal: < 0.5 ms) ${ours.extra < 0.5 ? 'OK' : 'OVER'}`);
const worst = (ms, key) => Math.max(...ms.map((m) => m[key])).toFixed(1);
const med = (ms) => pct(ms.map((m) => m.ms), 50).toFixed(0);
console.log('\n100 MiB, 3 times (median time; worst event-loop lag of this process, and of an idle neighbour meanwhile):');
for (const [name, ms] of [['fixture in (create)', big100.in], ['readFile', big100.out], ['writeFile', big100.write]])
  console.log(`  ${name.padEnd(20)} ${med(ms).padStart(5)} ms   lag ${worst(ms, 'maxLagMs').padStart(5)} ms   neighbour ${worst(ms, 'neighbourMaxMs').padStart(5)} ms`);
