// `npm start`: the README's quick start — a shell in a fresh sandbox.
import { Container } from 'nsjail-ts';

const result = await Container.run({ args: ['/bin/sh', '-c', 'id; hostname; ps'] });
console.log(result.stdout.toString());
console.log(`exit code ${result.exitCode}, ${result.durationMs.toFixed(1)} ms`);
