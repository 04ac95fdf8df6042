// Vitest global setup: one stack (all components) for a whole test run.
//   test: { globalSetup: ['@email-profiles/mail-stack/vitest-global-setup'] }
// then in a test file: `const stack = inject('mailStack')` (a MailStackInfo), and
// `deliver(stack, to, raw)` / `fillMailbox(stack, address, count)` from '@email-profiles/mail-stack'.
import type { TestProject } from 'vitest/node';
import { mailStackInfo, startMailStack } from './index.js';

export default async function setup(project: Pick<TestProject, 'provide'>) {
  const stack = await startMailStack();
  project.provide('mailStack', mailStackInfo(stack));
  return async () => {
    await stack.stop();
  };
}
