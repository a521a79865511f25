// vitest for this example only, from the repository's root:
//   npx vitest run --config examples/vitest-per-test/vitest.config.mjs
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['examples/vitest-per-test/*.test.mjs'],
    // Sandboxes are processes: one worker per core is plenty.
    pool: 'forks',
    // Only for this repository, where nsjail-ts is the project itself rather than a package
    // in node_modules (which vitest loads with Node's own import anyway): load its dist/
    // the same way, not through vite's transform.
    server: { deps: { external: [/\/dist\/index\.m?js$/] } },
  },
});
