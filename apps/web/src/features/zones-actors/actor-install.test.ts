import { describe, expect, it } from 'vitest';
import { actorInstall, shellQuote } from './actor-install';

const download = {
  path: '/downloads/email-profiles-actor.mjs' as const,
  sha256: 'a'.repeat(64),
  bytes: 5_000_000,
};

describe('actorInstall', () => {
  it('quotes what a shell would split, and leaves URLs and tokens as they are', () => {
    expect(shellQuote('dmz-actor-1')).toBe('dmz-actor-1');
    expect(shellQuote("Bob's laptop")).toBe(`'Bob'\\''s laptop'`);
    const commands = actorInstall({
      directorUrl: 'https://director.example.com',
      token: 'A'.repeat(43),
      name: 'branch office',
      zone: "Bob's zone",
      download,
    });
    expect(commands.enroll).toBe(
      `sudo -u email-profiles-actor node /opt/email-profiles-actor/email-profiles-actor.mjs enroll --director https://director.example.com --token ${'A'.repeat(43)} --name 'branch office' --zone 'Bob'\\''s zone' --credential /var/lib/email-profiles-actor/actor.json`,
    );
  });

  it('checks the download against the SHA-256 the Director computed', () => {
    const commands = actorInstall({
      directorUrl: 'http://10.0.0.5:8080',
      token: 'A'.repeat(43),
      name: 'x',
      zone: 'DMZ',
      download,
    });
    expect(commands.download.split('\n')).toEqual([
      'curl -fsSL -o email-profiles-actor.mjs http://10.0.0.5:8080/downloads/email-profiles-actor.mjs',
      `echo '${'a'.repeat(64)}  email-profiles-actor.mjs' | sha256sum -c -`,
    ]);
  });

  it('runs the actor as its own user under systemd, restarted whenever it stops', () => {
    const { unit, install, enroll } = actorInstall({
      directorUrl: 'http://10.0.0.5:8080',
      token: 'A'.repeat(43),
      name: 'x',
      zone: 'DMZ',
      download,
    });
    const lines = unit.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'User=email-profiles-actor',
        'Restart=always',
        'ExecStart=/usr/bin/env node /opt/email-profiles-actor/email-profiles-actor.mjs run --credential /var/lib/email-profiles-actor/actor.json',
        'ReadWritePaths=/var/lib/email-profiles-actor',
      ]),
    );
    expect(install).toContain('--system');
    expect(install).toContain('--shell /usr/sbin/nologin');
    // Enrolled as the user the service runs as, so the 0600 credential is its own.
    expect(enroll.startsWith('sudo -u email-profiles-actor ')).toBe(true);
  });
});
