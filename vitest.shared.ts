import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages expose their TypeScript sources under the "source" export condition,
// so tests run against sources without a build step in between.
export default defineConfig({
  resolve: { conditions: ['source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
