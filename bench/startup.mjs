#!/usr/bin/env node
// `npm run bench`: startup latency of a sandboxed /bin/true, against child_process.spawn
// and bubblewrap with the same isolation, interleaved in one run so that machine noise
// hits all of them alike; and what cgroup limits add to it (a container's cgroups are
// made, entered, read and removed in every run). Prints medians, p90s and ratios. Timing
// thresholds live here, never in tests.
//
//   node bench/startup.mjs [--runs N] [--json]
import { spawn, execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { Container } from 'nsjail-ts';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', 200));
const WARMUP = 20;
const asJson = process.argv.includes('--json');

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const spawnExit = (file, args) =>
  new Promise((resolve, reject) => {
    const t = performance.now();
    const c = spawn(file, args, { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${file} exited ${code}`))));
  });

// bubblewrap, isolated as our default: all namespaces, read-only host root, private
// /proc, /dev, /tmp, /run, a hostname, no capabilities, a new session, die with parent.
const bwrapArgs = [
  '--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-ipc', '--unshare-cgroup',
  '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run',
  '--hostname', 'sandbox', '--cap-drop', 'ALL', '--new-session', '--die-with-parent', '--clearenv',
  '--setenv', 'PATH', '/usr/bin:/bin', '/bin/true',
];

const contenders = [
  { name: 'child_process.spawn', run: () => spawnExit('/bin/true', []) },
  {
    name: 'Container.run',
    run: async () => {
      const t = performance.now();
      const r = await Container.run({ args: ['/bin/true'] });
      if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
      return performance.now() - t;
    },
  },
  {
    name: 'Container.run init:false',
    run: async () => {
      const t = performance.now();
      await Container.run({ args: ['/bin/true'], init: false });
      return performance.now() - t;
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
  for (const [name, limits] of Object.entries(LIMITED))
    contenders.push({
      name,
      run: async () => {
        const t = performance.now();
        const r = await Container.run({ args: ['/bin/true'], limits });
        if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}`);
        return performance.now() - t;
      },
    });
const bwrap = which('bwrap');
if (bwrap) contenders.push({ name: 'bwrap', run: () => spawnExit(bwrap, bwrapArgs) });

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

for (let i = 0; i < WARMUP; i++) for (const c of contenders) await c.run();
const samples = new Map(contenders.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) {
  // Rotate the order too: no contender always runs right after another.
  for (let k = 0; k < contenders.length; k++) {
    const c = contenders[(i + k) % contenders.length];
    samples.get(c.name).push(await c.run());
  }
}

const base = pct(samples.get('child_process.spawn'), 50);
const rows = contenders.map((c) => {
  const xs = samples.get(c.name);
  return { name: c.name, median: pct(xs, 50), p90: pct(xs, 90), ratio: pct(xs, 50) / base };
});
if (asJson) {
  console.log(JSON.stringify({ runs: RUNS, cpus: os.cpus().length, kernel: os.release(), node: process.version, rows }));
} else {
  console.log(`startup latency, ${RUNS} interleaved runs each (${os.cpus().length} cpus, Linux ${os.release()}, Node ${process.version})`);
  console.log('');
  console.log(`${'contender'.padEnd(26)} ${'median ms'.padStart(10)} ${'p90 ms'.padStart(9)} ${'x spawn'.padStart(8)}`);
  for (const r of rows)
    console.log(`${r.name.padEnd(26)} ${r.median.toFixed(2).padStart(10)} ${r.p90.toFixed(2).padStart(9)} ${r.ratio.toFixed(2).padStart(8)}`);
  if (!bwrap) console.log('\n(bwrap not installed: apt-get install bubblewrap to compare)');
  const ours = rows.find((r) => r.name === 'Container.run');
  const goal = 3;
  console.log(`\nContainer.run / spawn = ${ours.ratio.toFixed(2)} (goal: within ${goal}x) ${ours.ratio <= goal ? 'OK' : 'OVER'}`);
  if (bwrap) console.log(`Container.run / bwrap = ${(ours.median / rows.find((r) => r.name === 'bwrap').median).toFixed(2)}`);
  if (noCgroups) console.log(`\n(no cgroup limits here: ${noCgroups.split('. Fix:')[0]})`);
  else {
    const limitGoal = 0.3;
    for (const name of Object.keys(LIMITED)) {
      const extra = rows.find((r) => r.name === name).median - ours.median;
      console.log(`${name} - Container.run = ${extra >= 0 ? '+' : ''}${extra.toFixed(2)} ms (goal: under ${limitGoal} ms) ${extra < limitGoal ? 'OK' : 'OVER'}`);
    }
  }
}
