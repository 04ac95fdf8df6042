import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // A private Dovecot + Postfix + Cyrus stack on loopback for this run, stopped afterwards.
    globalSetup: [
      '@email-profiles/mail-stack/vitest-global-setup',
      './src/testing/bundle-setup.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
