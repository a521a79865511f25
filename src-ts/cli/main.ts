#!/usr/bin/env node
/** `nsjail-ts`: the command line (`run`, `doctor`); see usage.ts. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { doctor } from './doctor.js';
import { EXIT_OWN_FAILURE, run } from './run.js';
import { parseRun, UsageError } from './run-options.js';
import { USAGE } from './usage.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(parseRun(rest));
    case 'doctor':
      return doctor(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '--version': {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
      process.stdout.write(`nsjail-ts ${pkg.version}\n`);
      return 0;
    }
    default:
      throw new UsageError(command === undefined ? 'no command (run or doctor)' : `unknown command ${JSON.stringify(command)} (run or doctor)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // One line that says what is wrong, then the usage; 125 as container runtimes do.
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`nsjail-ts: ${message}\n${e instanceof UsageError ? `\n${USAGE}` : ''}`);
    process.exitCode = EXIT_OWN_FAILURE;
  },
);
