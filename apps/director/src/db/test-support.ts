// Shared by the database tests: a fresh SQLite file in a temp dir, and profiles built with core.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emailProfileSchema, type EmailProfile, type ServerType } from '@email-profiles/core';
import { Vault } from '../secrets/vault.js';
import { createActor } from './actors.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { createZone } from './zones.js';

export interface TestDatabase {
  dir: string;
  file: string;
  handle: DatabaseHandle;
  vault: Vault;
  reopen(): DatabaseHandle;
  cleanup(): void;
}

export function tempDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'director-db-'));
  const file = join(dir, 'director.sqlite');
  const test: TestDatabase = {
    dir,
    file,
    handle: openDatabase(file),
    vault: new Vault(randomBytes(32)),
    reopen() {
      test.handle.close();
      test.handle = openDatabase(file);
      return test.handle;
    },
    cleanup() {
      if (test.handle.sqlite.open) test.handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return test;
}

/** A zone with `count` actors; returns the actor ids. */
export function seedActors(handle: DatabaseHandle, count: number, zoneName = 'DMZ'): string[] {
  const zone = createZone(handle.db, { name: zoneName });
  return Array.from(
    { length: count },
    (_, i) =>
      createActor(handle.db, {
        name: `actor ${i + 1}`,
        zoneId: zone.id,
        tokenHash: randomUUID(),
      }).id,
  );
}

/** Secret values that are easy to look for in the database file. */
export const SECRETS = {
  graph: 'GraphSecret~Value.Do-Not-Leak-1',
  gmail: 'GOCSPX-GmailSecretDoNotLeak2',
  refreshToken: '1//RefreshTokenDoNotLeak3',
  imap: 'ImapPasswordDoNotLeak4',
  pop3: 'Pop3PasswordDoNotLeak5',
  smtp: 'SmtpPasswordDoNotLeak6',
};

const servers = {
  username: 'actor1@example.test',
  incoming: { host: 'mail.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
  outgoing: {
    host: 'smtp.example.test',
    port: 587,
    encryption: 'starttls',
    requiresAuth: true,
    authType: 'plain',
  },
};

export function profileOf(type: ServerType, actorIds: string[], id = `p-${type}`): EmailProfile {
  const common = {
    id,
    manualCode: randomUUID(),
    emailAddress: `${type}@example.test`,
    actorIds,
  };
  switch (type) {
    case 'graph':
      return emailProfileSchema.parse({
        ...common,
        serverType: 'graph',
        tenantId: 'contoso.onmicrosoft.com',
        clientId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
        clientSecret: SECRETS.graph,
      });
    case 'gmail':
      return emailProfileSchema.parse({
        ...common,
        serverType: 'gmail',
        clientId: '1234567890-abc123.apps.googleusercontent.com',
        clientSecret: SECRETS.gmail,
        refreshToken: SECRETS.refreshToken,
        consentedAddress: 'gmail@example.test',
      });
    case 'imap':
      return emailProfileSchema.parse({
        ...common,
        serverType: 'imap',
        ...servers,
        password: SECRETS.imap,
      });
    case 'pop3':
      return emailProfileSchema.parse({
        ...common,
        serverType: 'pop3',
        ...servers,
        incoming: { ...servers.incoming, port: 995 },
        password: SECRETS.pop3,
        sendVerificationManually: true,
      });
  }
}
