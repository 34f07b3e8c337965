import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS and ESM; without one resolution Vitest loads both ("Duplicate graphql modules").
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: [
      'backend/src/**/*.spec.ts',
      // The web UI: pure units, the client against real sockets, and the whole stack in Chromium.
      'frontend/src/**/*.unit.spec.ts',
      'frontend/src/**/*.int.spec.ts',
      'frontend/e2e/**/*.e2e.spec.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
