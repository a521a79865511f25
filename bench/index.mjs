#!/usr/bin/env node
// `npm run bench`: every benchmark, one after the other, each in a process of its own (no
// heap or reactor carried from one to the next). Run it on a quiet machine.
//
//   npm run bench                  startup, profile summary, 64 at once, throughput,
//                                  CPU per sandbox, a big caller heap, memory per
//                                  container, files
//   npm run bench -- --profile     only where one start spends its time (bench/profile.mjs)
//   npm run bench -- --quick       fewer runs (a smoke test, e.g. in CI)
//   npm run bench -- --write       also write bench/results.json (machine, date, figures)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag } from './common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = flag('quick');

const all = [
  ['startup', 'startup.mjs', quick ? ['--runs', '10'] : []],
  ['concurrency', 'concurrency.mjs', quick ? ['--n', '8', '--rounds', '1'] : []],
  ['throughput', 'throughput.mjs', quick ? ['--n', '24', '--rounds', '1'] : []],
  ['cpu', 'cpu.mjs', quick ? ['--runs', '20'] : []],
  ['heap', 'heap.mjs', quick ? ['--runs', '10', '--mib', '128'] : []],
  ['memory', 'memory.mjs', quick ? ['--n', '8'] : []],
  ['files', 'files.mjs', quick ? ['--runs', '10'] : []],
];
const profileOnly = [['profile', 'profile.mjs', quick ? ['--runs', '30'] : []]];
const which = flag('profile') ? profileOnly : all;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-bench-'));
const figures = {};
let failed = false;
try {
  for (const [name, file, args] of which) {
    const out = path.join(tmp, `${name}.json`);
    console.log(`\n=== ${name} (bench/${file})\n`);
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(here, file), ...args, '--json-out', out], { stdio: 'inherit' });
    if (r.status !== 0) {
      console.log(`bench: ${file} failed (${r.status ?? r.signal})`);
      failed = true;
      continue;
    }
    figures[name] = JSON.parse(fs.readFileSync(out, 'utf8'));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const targets = Object.entries(figures).flatMap(([bench, f]) => (f.targets ?? []).map((t) => ({ bench, ...t })));
if (targets.length) {
  console.log('\n=== targets');
  for (const t of targets) {
    const ok = t.higherIsBetter ? t.value >= t.target : t.value <= t.target;
    console.log(`${ok ? 'OK  ' : 'MISS'} ${t.what}: ${t.value.toFixed(2)} (target ${t.higherIsBetter ? '>=' : '<='} ${t.target})`);
  }
}
if (flag('write')) {
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), node: process.version };
  const file = path.join(here, 'results.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, quick, figures }, null, 2) + '\n');
  console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
}
process.exit(failed ? 1 : 0);
