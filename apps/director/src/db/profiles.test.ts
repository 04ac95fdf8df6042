import { readFileSync } from 'node:fs';
import {
  emailProfileSchema,
  publicEmailProfileSchema,
  type DirectorMailSettings,
  type ServerType,
} from '@email-profiles/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, listActors } from './actors.js';
import { RepositoryError } from './database.js';
import { getPublicMailSettings, loadMailSettings, saveMailSettings } from './mail-settings.js';
import {
  deleteProfile,
  getPublicProfile,
  listPublicProfiles,
  loadProfile,
  profileIdsForActor,
  saveProfile,
  setProfileActors,
} from './profiles.js';
import { profileActors, verifications } from './schema.js';
import { profileOf, SECRETS, seedActors, tempDatabase, type TestDatabase } from './test-support.js';
import {
  getActorVerification,
  getProfileVerification,
  putActorVerification,
  putProfileVerification,
} from './verifications.js';
import { createZone, deleteZone, listZones, renameZone } from './zones.js';

const TYPES: ServerType[] = ['graph', 'gmail', 'imap', 'pop3'];

let t: TestDatabase;
let actorIds: string[];
beforeEach(() => {
  t = tempDatabase();
  actorIds = seedActors(t.handle, 3);
});
afterEach(() => {
  t.cleanup();
});

const mailSettings: DirectorMailSettings = {
  method: 'smtp',
  fromAddress: 'director@example.test',
  host: 'smtp.example.test',
  port: 587,
  encryption: 'starttls',
  requiresAuth: true,
  authType: 'plain',
  username: 'director@example.test',
  password: SECRETS.smtp as Extract<DirectorMailSettings, { method: 'smtp' }>['password'],
  tlsTrust: { mode: 'system' },
};

describe('profiles', () => {
  it.each(TYPES)('round-trips a %s profile, secrets included', (type) => {
    const profile = profileOf(type, [actorIds[1]!, actorIds[0]!]);
    saveProfile(t.handle.db, t.vault, profile);
    expect(loadProfile(t.handle.db, t.vault, profile.id)).toEqual(profile);
    t.reopen();
    expect(loadProfile(t.handle.db, t.vault, profile.id)).toEqual(profile);
  });

  it('returns undefined for an unknown profile', () => {
    expect(loadProfile(t.handle.db, t.vault, 'nope')).toBeUndefined();
    expect(getPublicProfile(t.handle.db, 'nope')).toBeUndefined();
  });

  it('lists public profiles without secrets and without the vault', () => {
    for (const type of TYPES) saveProfile(t.handle.db, t.vault, profileOf(type, actorIds));
    const seal = vi.spyOn(t.vault, 'seal');
    const open = vi.spyOn(t.vault, 'open');
    const list = listPublicProfiles(t.handle.db);
    expect(open).not.toHaveBeenCalled();
    expect(seal).not.toHaveBeenCalled();
    expect(list.map((p) => p.serverType)).toEqual(TYPES);
    for (const view of list) {
      expect(publicEmailProfileSchema.parse(view)).toEqual(view);
      expect(view.actorIds).toEqual(actorIds);
    }
    const json = JSON.stringify(list);
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
    expect(json).not.toMatch(/password|clientSecret|refreshToken|v1\./);
    expect(list.find((p) => p.serverType === 'gmail')).toMatchObject({ consentGranted: true });
    expect(getPublicProfile(t.handle.db, 'p-imap')).toEqual(list[2]);
  });

  it('reports a Gmail profile without consent', () => {
    const withoutConsent = { ...profileOf('gmail', actorIds), refreshToken: undefined };
    saveProfile(t.handle.db, t.vault, withoutConsent);
    expect(getPublicProfile(t.handle.db, 'p-gmail')).toMatchObject({ consentGranted: false });
    expect(loadProfile(t.handle.db, t.vault, 'p-gmail')).toEqual(withoutConsent);
  });

  it('binds each sealed secret to its profile and field', () => {
    saveProfile(t.handle.db, t.vault, profileOf('imap', actorIds, 'p-a'));
    saveProfile(t.handle.db, t.vault, profileOf('imap', actorIds, 'p-b'));
    const sealedOf = (id: string) =>
      t.handle.sqlite.prepare('SELECT sealed_secrets FROM profiles WHERE id = ?').pluck().get(id);
    t.handle.sqlite
      .prepare('UPDATE profiles SET sealed_secrets = ? WHERE id = ?')
      .run(sealedOf('p-a'), 'p-b');
    expect(() => loadProfile(t.handle.db, t.vault, 'p-b')).toThrow(
      /Cannot open the secret "profile:p-b:password"/,
    );
  });

  it('keeps no secret in clear in the database file or its WAL', () => {
    for (const type of TYPES) saveProfile(t.handle.db, t.vault, profileOf(type, actorIds));
    saveMailSettings(t.handle.db, t.vault, mailSettings);
    const files = [t.file, `${t.file}-wal`];
    const scan = () => {
      const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
      for (const secret of Object.values(SECRETS)) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le'))).toBe(false);
      }
      return bytes;
    };
    // the public fields are there, so the scan does look at the rows
    expect(scan().includes(Buffer.from('mail.example.test'))).toBe(true);
    t.handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expect(scan().includes(Buffer.from('smtp.example.test'))).toBe(true);
  });

  it('replaces the actors on save, in order, and drops the state of a removed one', () => {
    const profile = profileOf('imap', actorIds);
    saveProfile(t.handle.db, t.vault, profile);
    putActorVerification(t.handle.db, profile.id, actorIds[0]!, { status: 'unverified' });
    putActorVerification(t.handle.db, profile.id, actorIds[1]!, { status: 'unverified' });
    saveProfile(t.handle.db, t.vault, { ...profile, actorIds: [actorIds[2]!, actorIds[1]!] });
    expect(loadProfile(t.handle.db, t.vault, profile.id)?.actorIds).toEqual([
      actorIds[2],
      actorIds[1],
    ]);
    expect(
      t.handle.db
        .select()
        .from(verifications)
        .all()
        .map((v) => v.actorId),
    ).toEqual([actorIds[1]]);
    expect(profileIdsForActor(t.handle.db, actorIds[0]!)).toEqual([]);
    expect(profileIdsForActor(t.handle.db, actorIds[2]!)).toEqual([profile.id]);
  });

  it('refuses unknown actors and unknown profiles', () => {
    expect(() => {
      saveProfile(t.handle.db, t.vault, profileOf('imap', ['ghost']));
    }).toThrow(/Unknown actor\(s\): ghost/);
    expect(loadProfile(t.handle.db, t.vault, 'p-imap')).toBeUndefined();
    expect(() => {
      setProfileActors(t.handle.db, 'nope', actorIds);
    }).toThrow(RepositoryError);
  });

  it('deletes a profile with its actor links and verification states', () => {
    const profile = profileOf('pop3', actorIds);
    saveProfile(t.handle.db, t.vault, profile);
    putActorVerification(t.handle.db, profile.id, actorIds[0]!, { status: 'unverified' });
    expect(deleteProfile(t.handle.db, profile.id)).toBe(true);
    expect(deleteProfile(t.handle.db, profile.id)).toBe(false);
    expect(t.handle.db.select().from(profileActors).all()).toEqual([]);
    expect(t.handle.db.select().from(verifications).all()).toEqual([]);
    expect(listActors(t.handle.db)).toHaveLength(3);
  });

  it('validates what it saves', () => {
    const profile = profileOf('imap', actorIds);
    expect(() => {
      saveProfile(t.handle.db, t.vault, { ...profile, emailAddress: 'not an address' });
    }).toThrow();
    expect(emailProfileSchema.safeParse(profile).success).toBe(true);
  });
});

describe('verification state', () => {
  const attempt = {
    id: 'attempt-1',
    mode: 'automatic' as const,
    code: '9b2f6a8e-3c1d-4e5f-8a7b-1c2d3e4f5a6b',
    requestedAt: '2025-01-01T00:00:00.000Z',
    deadlineAt: '2025-01-01T00:02:00.000Z',
    retries: 0,
  };

  it('reads unverified for assigned actors without state, and mode from the profile', () => {
    const profile = profileOf('pop3', actorIds);
    saveProfile(t.handle.db, t.vault, profile);
    expect(getProfileVerification(t.handle.db, profile.id)).toEqual({
      mode: 'manual',
      manualCode: profile.manualCode,
      actors: Object.fromEntries(actorIds.map((id) => [id, { status: 'unverified' }])),
    });
    expect(getProfileVerification(t.handle.db, 'nope')).toBeUndefined();
  });

  it('puts and gets a profile verification', () => {
    const profile = profileOf('imap', actorIds);
    saveProfile(t.handle.db, t.vault, profile);
    const state = {
      mode: 'automatic' as const,
      manualCode: profile.manualCode,
      actors: {
        [actorIds[0]!]: { status: 'requested' as const, attempt },
        [actorIds[1]!]: {
          status: 'verified' as const,
          attempt,
          verifiedAt: '2025-01-01T00:01:00.000Z',
        },
        [actorIds[2]!]: { status: 'unverified' as const },
      },
    };
    putProfileVerification(t.handle.db, profile.id, state);
    t.reopen();
    expect(getProfileVerification(t.handle.db, profile.id)).toEqual(state);
    expect(getActorVerification(t.handle.db, profile.id, actorIds[1]!)).toEqual(
      state.actors[actorIds[1]!],
    );
    expect(() => {
      putProfileVerification(t.handle.db, profile.id, {
        ...state,
        actors: { ghost: { status: 'unverified' } },
      });
    }).toThrow(/not assigned/);
    expect(() => {
      putProfileVerification(t.handle.db, profile.id, {
        ...state,
        manualCode: '11111111-2222-4333-8444-555555555555',
      });
    }).toThrow(/manual code/);
    expect(() => {
      putActorVerification(t.handle.db, profile.id, actorIds[0]!, {
        status: 'verified',
      } as never);
    }).toThrow();
  });
});

describe('mail settings', () => {
  it('saves, shows a public view with passwordSet, and loads the password', () => {
    expect(getPublicMailSettings(t.handle.db)).toBeUndefined();
    saveMailSettings(t.handle.db, t.vault, mailSettings);
    const open = vi.spyOn(t.vault, 'open');
    const view = getPublicMailSettings(t.handle.db);
    expect(open).not.toHaveBeenCalled();
    expect(view).toMatchObject({ host: 'smtp.example.test', passwordSet: true });
    expect(JSON.stringify(view)).not.toContain(SECRETS.smtp);
    expect(loadMailSettings(t.handle.db, t.vault)).toEqual(mailSettings);

    saveMailSettings(t.handle.db, t.vault, {
      ...mailSettings,
      requiresAuth: false,
      authType: undefined,
      username: undefined,
      password: undefined,
    });
    expect(getPublicMailSettings(t.handle.db)).toMatchObject({ passwordSet: false });
    expect(t.handle.sqlite.prepare('SELECT count(*) FROM mail_settings').pluck().get()).toBe(1);
  });
});

describe('zones and actors', () => {
  it('creates, renames and lists zones; refuses duplicate names', () => {
    const zone = createZone(t.handle.db, { name: 'Branch' });
    expect(() => createZone(t.handle.db, { name: 'Branch' })).toThrow(/already exists/);
    expect(renameZone(t.handle.db, zone.id, { name: 'Branch office' })).toEqual({
      id: zone.id,
      name: 'Branch office',
    });
    expect(listZones(t.handle.db).map((z) => z.name)).toEqual(['Branch office', 'DMZ']);
  });

  it('refuses to delete a zone that still has actors, then deletes it when empty', () => {
    const zone = createZone(t.handle.db, { name: 'Lab' });
    createActor(t.handle.db, { name: 'lab actor', zoneId: zone.id, tokenHash: 'h-lab' });
    const attempt = () => {
      deleteZone(t.handle.db, zone.id);
    };
    expect(attempt).toThrow(RepositoryError);
    expect(attempt).toThrow('The zone "Lab" still has 1 actor; move or remove it first');
    t.handle.sqlite.prepare('DELETE FROM actors WHERE zone_id = ?').run(zone.id);
    deleteZone(t.handle.db, zone.id);
    expect(listZones(t.handle.db).map((z) => z.name)).toEqual(['DMZ']);
    expect(() => {
      deleteZone(t.handle.db, zone.id);
    }).toThrow(/There is no zone/);
  });

  it('refuses an actor in an unknown zone', () => {
    expect(() => createActor(t.handle.db, { name: 'x', zoneId: 'nope', tokenHash: 'h' })).toThrow(
      /There is no zone/,
    );
  });
});
