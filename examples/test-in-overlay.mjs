// Run a project's own tests in a sandbox and see what they changed: the project folder
// is a copy-on-write view (the tests may write anything; the folder itself stays as it
// was), its node_modules is read-only, there is no network; afterwards, the list of what
// the tests added, modified and deleted.
//
//   node examples/test-in-overlay.mjs                 a small demo project, made and removed here
//   node examples/test-in-overlay.mjs <projectDir>    its `npm test` script (package.json), run with sh
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Container } from 'nsjail-ts';

/** A project whose test writes a report, updates a snapshot, deletes a scratch file and tries node_modules. */
function demoProject() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-demo-'));
  const files = {
    'package.json': JSON.stringify({ name: 'demo', scripts: { test: 'node test.js' } }),
    'node_modules/greet/index.js': 'module.exports = (n) => `hello ${n}`;\n',
    'snapshots/greet.snap': 'hello world (old)\n',
    'scratch.txt': 'left over from a previous run\n',
    'test.js': [
      "const fs = require('fs');",
      "const out = require('greet')('world');",
      "fs.mkdirSync('coverage', { recursive: true });",
      "fs.writeFileSync('coverage/summary.json', JSON.stringify({ lines: 100 }));",
      "fs.writeFileSync('snapshots/greet.snap', out + '\\n');",
      "fs.rmSync('scratch.txt');",
      "try { fs.writeFileSync('node_modules/greet/index.js', 'tampered'); } catch (e) { console.log(`node_modules: ${e.code}`); }",
      "console.log('tests passed:', out);",
    ].join('\n'),
  };
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), body);
  }
  fs.chmodSync(dir, 0o755);
  return dir;
}

const given = process.argv[2];
const project = given ? path.resolve(given) : demoProject();
const test = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).scripts?.test;
if (!test) throw new Error(`${project}/package.json has no test script`);
/** @type {import('nsjail-ts').Mount[]} */
const mounts = [{ type: 'overlay', source: project, target: '/project' }];
if (fs.existsSync(path.join(project, 'node_modules')))
  mounts.push({ type: 'bind', source: path.join(project, 'node_modules'), target: '/project/node_modules', readonly: true });

const c = await Container.create({
  args: ['/bin/sh', '-c', test],
  cwd: '/project',
  env: { PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: '/tmp', CI: 'true' },
  mounts,
  network: 'none',
  limits: { wallTimeMs: 120_000 },
});
try {
  const r = await c.start().output();
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  console.log(`exit ${r.exitCode ?? r.signal}; what the tests changed:`);
  for (const ch of await c.changes()) console.log(`  ${ch.kind.padEnd(8)} ${ch.path}`);
} finally {
  await c.destroy();
  if (!given) {
    const untouched = fs.readFileSync(path.join(project, 'snapshots/greet.snap'), 'utf8') === 'hello world (old)\n' && fs.existsSync(path.join(project, 'scratch.txt'));
    console.log(untouched ? 'the project folder is as it was' : 'the project folder CHANGED');
    fs.rmSync(project, { recursive: true, force: true });
  }
}
