import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Real `npm start` processes: installs checked, the web app and bundles built when stale.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
