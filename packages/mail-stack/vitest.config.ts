import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Real servers: starting a stack takes a few seconds.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
