import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // A private Dovecot + Postfix stack on loopback, for "Send test email" (stopped afterwards).
    globalSetup: ['@email-profiles/mail-stack/vitest-global-setup'],
    // Password hashing is deliberately slow (scrypt); under a full parallel run on two cores a
    // login test needs more than vitest's 5 s default.
    testTimeout: 30_000,
  },
});
