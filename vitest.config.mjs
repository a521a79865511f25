import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The rootless pass runs as another user who cannot write node_modules.
  cacheDir: process.env.NSJAIL_TS_CACHE_DIR ?? 'node_modules/.vite',
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/via-pool.ts'],
    // Each file in its own process: reactor threads, signal dispositions and children
    // never leak from one file to the next.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
