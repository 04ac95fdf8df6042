import { describe, expect, it } from 'vitest';
import { enrollCommands, shellQuote } from './enroll-commands';

describe('enrollCommands', () => {
  it('quotes what a shell would split, and leaves URLs and tokens as they are', () => {
    expect(shellQuote('dmz-actor-1')).toBe('dmz-actor-1');
    expect(shellQuote("Bob's laptop")).toBe(`'Bob'\\''s laptop'`);
    const commands = enrollCommands({
      directorUrl: 'http://10.0.0.5:8080',
      token: 'A'.repeat(43),
      name: 'branch office',
    });
    expect(commands.enroll).toBe(
      `node apps/actor/bin/email-profiles-actor.mjs enroll --director http://10.0.0.5:8080 --token ${'A'.repeat(43)} --name 'branch office'`,
    );
  });
});
