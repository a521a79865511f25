#!/usr/bin/env node
// `npm run typecheck:consumer`: the types as a user of the package meets them. Packs the
// package (npm pack), installs the tarball into a fresh folder next to the consumer files
// of test/consumer/ (the README's quick start and API shapes, ESM and CommonJS), and runs
// `tsc --strict` there with Node's own module resolution (nodenext) and skipLibCheck off,
// so the package's .d.ts files are checked as shipped. Exits non-zero on any error.
//
// Scripts are skipped on pack and install (--ignore-scripts): types need neither the
// prebuilt binaries nor a build; the user's install path itself is CI's to prove.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nsjail-ts-consumer-'));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  npm(['run', '--silent', 'build:ts'], root);
  const [{ filename }] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], root));
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const f of fs.readdirSync(path.join(root, 'test', 'consumer'))) fs.copyFileSync(path.join(root, 'test', 'consumer', f), path.join(app, f));
  // The consumer's own @types/node: the version this repository is checked with.
  const typesNode = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', '@types', 'node', 'package.json'), 'utf8')).version;
  npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, filename), `@types/node@${typesNode}`], app);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, stdio: 'inherit' });
  console.log(`typecheck-consumer: ${filename} type-checks in a strict consumer project (nodenext, ESM and CommonJS)`);
} catch (e) {
  if (e.stdout) process.stdout.write(e.stdout);
  console.error(`typecheck-consumer: failed${e.status !== undefined ? ` (exit ${e.status})` : `: ${e.message}`}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
