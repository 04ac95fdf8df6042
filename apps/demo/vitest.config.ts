import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The demo starts its own mail sandbox, Director and actors in a child process.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
