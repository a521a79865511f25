#!/usr/bin/env node
// `npm run bench -- --profile`: where one Container.run spends its time. Each run asks
// for result.profile (JS's steps, the addon thread's events, every stage's log line and
// mount, on one clock); this prints the median time of each mark since the call and the
// step to it from the mark before, then the same grouped into phases.
//
//   node bench/profile.mjs [--runs N] [--init false] [--json-out FILE]
import { Container } from 'nsjail-ts';
import { arg, median, writeJson } from './common.mjs';

const RUNS = Number(arg('runs', 200));
const config = { args: ['/bin/true'], init: arg('init', 'true') !== 'false' };

for (let i = 0; i < 20; i++) await Container.run(config, { profile: true });
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push((await Container.run(config, { profile: true })).profile);

// Each mark's time in every run (the first of a name in a run).
const byMark = new Map();
for (const marks of runs) {
  const seen = new Set();
  for (const m of marks) {
    const key = `${m.where}: ${m.what}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!byMark.has(key)) byMark.set(key, []);
    byMark.get(key).push(m.ms);
  }
}
const marks = [...byMark]
  .filter(([, xs]) => xs.length >= RUNS / 2)
  .map(([key, xs]) => ({ key, ms: median(xs) }))
  .sort((a, b) => a.ms - b.ms);

// Phases: from the first mark matching `from` to the first matching `to` (medians of each run's difference).
const at = (marks, re) => marks.find((m) => re.test(`${m.where}: ${m.what}`))?.ms;
const PHASES = [
  ['JS: validate, plan, encode', /^js: config normalized/, /^js: spawn queued/, true],
  ['to stage 0 reading its bootstrap', /^js: spawn queued/, /^parent: (running|forked by the zygote)/],
  ['stage 0: bootstrap, sources, clone', /^parent: (running|forked)/, /^child: started/],
  ['user namespace and id maps', /^child: started/, /^child: user namespace ready/],
  ['unshare the other namespaces', /^child: user namespace ready/, /^child: unshared/],
  ['stage 2 cloned, released', /^child: unshared/, /^init: released by stage 0/],
  ['loopback, mount sources', /^init: released by stage 0/, /^init: root attached/],
  ['mounts and masks', /^init: root attached/, /^init: (Mask|Rebind) \/proc\/kcore/],
  ['masks', /^init: (Mask|Rebind) \/proc\/kcore/, /^init: every mount operation done/],
  ['pivot (and the old root detached)', /^init: every mount operation done/, /^init: pivoted/],
  ['main process: fork, credentials, ready', /^init: container set up/, /^main: credentials/],
  ['to execve', /^main: credentials/, /^main: execve/],
  ['the program, until the reaper has its status', /^main: execve/, /^init: main process reaped/],
  ['status to JS', /^init: main process reaped/, /^js: got exit/],
  ['output, destroy, resolve', /^js: got exit/, /^js: destroyed/],
];
const phases = PHASES.map(([name, from, to, fromStart]) => {
  const ds = runs.map((r) => {
    const a = fromStart ? 0 : at(r, from);
    const b = at(r, to);
    return a === undefined || b === undefined ? undefined : b - a;
  }).filter((d) => d !== undefined);
  return { name, ms: ds.length ? median(ds) : undefined };
});
const total = median(runs.map((r) => at(r, /^js: destroyed/)));

console.log(`one Container.run({ args: ['/bin/true'], init: ${config.init} }), medians of ${RUNS} runs (ms since the call)`);
console.log('');
let prev = 0;
for (const m of marks) {
  console.log(`${m.ms.toFixed(3).padStart(8)} ${('+' + (m.ms - prev).toFixed(3)).padStart(8)}  ${m.key}`);
  prev = m.ms;
}
console.log('\nphases (median of each run\'s own difference)');
for (const p of phases) if (p.ms !== undefined) console.log(`${p.ms.toFixed(3).padStart(8)}  ${p.name}`);
console.log(`${total.toFixed(3).padStart(8)}  total, with the profile's own log lines (a few µs each)`);
writeJson({ runs: RUNS, init: config.init, marks, phases, totalMs: total });
