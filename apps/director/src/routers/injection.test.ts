// Through the real HTTP server: a value that would reach a protocol line or a mail header with a
// line break or NUL, and a name with control, direction-override or zero-width characters, are
// refused as field errors (BAD_REQUEST with data.fieldErrors), and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DirectorMailSettingsUpdateInput,
  EmailProfileCreateInput,
} from '@email-profiles/core';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  rejection,
  testDirector,
  type TestDirector,
} from './test-client.js';

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
let zoneId: string;
let actorId: string;

beforeAll(async () => {
  env = await testDirector('injection');
  operator = browserTab(env.director.url).client;
  await operator.auth.setup.mutate(ADMIN);
  zoneId = (await operator.zones.create.mutate({ name: 'Branch' })).id;
  actorId = (await enrollTestActor(env.director.url, operator, zoneId, 'actor A')).id;
});
afterAll(async () => {
  await env.close();
});

const CONTROL = 'A name cannot contain line breaks, tabs or other control characters';
const DIRECTION =
  'A name cannot contain text-direction characters (such as U+202E), which can disguise it';
const ZERO_WIDTH = 'A name cannot contain invisible zero-width characters (such as U+200B)';
const names: [string, string][] = [
  ['x\r\nFAKE LOG LINE', CONTROL],
  ['x\nFAKE', CONTROL],
  ['x\u0000y', CONTROL],
  ['actorHQ\u202egnp.exe', DIRECTION],
  ['x\u2066y\u2069', DIRECTION],
  ['ad\u200bmin', ZERO_WIDTH],
  ['x\ufeffy', ZERO_WIDTH],
];

async function fieldErrors(call: Promise<unknown>) {
  const error = await rejection(call);
  return [error.data?.code, error.data?.fieldErrors];
}

describe('names shown to operators', () => {
  it.each(names)('zones.create and zones.rename refuse %j', async (name, message) => {
    expect(await fieldErrors(operator.zones.create.mutate({ name }))).toEqual([
      'BAD_REQUEST',
      [{ path: ['name'], message }],
    ]);
    expect(await fieldErrors(operator.zones.rename.mutate({ id: zoneId, name }))).toEqual([
      'BAD_REQUEST',
      [{ path: ['name'], message }],
    ]);
  });

  it.each(names)('an actor cannot enroll as %j', async (name, message) => {
    const { token } = await operator.actors.createEnrollmentToken.mutate({ zoneId });
    const anonymous = browserTab(env.director.url).client;
    expect(
      await fieldErrors(anonymous.actorApi.enroll.mutate({ enrollmentToken: token, name })),
    ).toEqual(['BAD_REQUEST', [{ path: ['name'], message }]]);
  });

  it('nothing of that was stored; honest unicode names are', async () => {
    expect((await operator.zones.list.query()).map((zone) => zone.name)).toEqual(['Branch']);
    expect((await operator.actors.list.query()).map((actor) => actor.name)).toEqual(['actor A']);
    const zone = await operator.zones.create.mutate({ name: 'Zürich – مكتب 東京' });
    expect(zone.name).toBe('Zürich – مكتب 東京');
    await operator.zones.delete.mutate({ id: zone.id });
  });
});

describe('values that reach a protocol line', () => {
  const pop3 = (overrides: Record<string, unknown> = {}) =>
    ({
      serverType: 'pop3',
      emailAddress: 'box@example.test',
      sendVerificationManually: true,
      actorIds: [actorId],
      username: 'box@example.test',
      password: 'secret',
      incoming: { host: '127.0.0.1', port: 995, encryption: 'ssl', authType: 'plain' },
      outgoing: { host: '127.0.0.1', port: 587, encryption: 'starttls', requiresAuth: false },
      ...overrides,
    }) as EmailProfileCreateInput;

  it.each<[string, Record<string, unknown>, string[], string]>([
    [
      'password with CR LF',
      { password: 'secret\r\nDELE 1' },
      ['password'],
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'password with NUL',
      { password: 'secret\u0000' },
      ['password'],
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'username with lone LF',
      { username: 'box@example.test\nDELE 1' },
      ['username'],
      'The username cannot contain line breaks or NUL characters',
    ],
    [
      'email address with lone CR',
      { emailAddress: 'box@example.test\rRCPT TO:<x@example.test>' },
      ['emailAddress'],
      'The email address cannot contain line breaks or NUL characters',
    ],
  ])('profiles.create refuses a %s', async (_, overrides, path, message) => {
    expect(await fieldErrors(operator.profiles.create.mutate(pop3(overrides)))).toEqual([
      'BAD_REQUEST',
      [{ path, message }],
    ]);
  });

  it('profiles.update refuses it too, and nothing was stored', async () => {
    const { id } = await operator.profiles.create.mutate(pop3());
    expect(
      await fieldErrors(
        operator.profiles.update.mutate({ ...pop3({ password: 'secret\r\nDELE 1' }), id }),
      ),
    ).toEqual([
      'BAD_REQUEST',
      [
        {
          path: ['password'],
          message: 'The password cannot contain line breaks or NUL characters',
        },
      ],
    ]);
    const stored = await operator.profiles.list.query();
    expect(stored.map((item) => item.profile.id)).toEqual([id]);
  });

  const smtp = (overrides: Record<string, unknown> = {}) =>
    ({
      method: 'smtp',
      fromAddress: 'director@example.test',
      fromName: 'Email Profiles',
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: 'director@example.test',
      password: 'secret',
      ...overrides,
    }) as DirectorMailSettingsUpdateInput;

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'sender name with a Bcc: header',
      { fromName: 'Director\r\nBcc: victim@example.test' },
      'fromName',
      'A sender name cannot contain line breaks, tabs or other control characters',
    ],
    [
      'sender name with a direction override',
      { fromName: 'Director\u202e' },
      'fromName',
      'A sender name cannot contain text-direction characters (such as U+202E), which can disguise it',
    ],
    [
      'password with CR LF',
      { password: 'secret\r\nRSET' },
      'password',
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'user name with NUL',
      { username: 'director\u0000x' },
      'username',
      'The user name cannot contain line breaks or NUL characters',
    ],
    [
      'from-address with CR LF',
      { fromAddress: 'director@example.test\r\nRCPT TO:<x@example.test>' },
      'fromAddress',
      'The email address cannot contain line breaks or NUL characters',
    ],
  ])('settings.mail.update refuses a %s', async (_, overrides, field, message) => {
    expect(await fieldErrors(operator.settings.mail.update.mutate(smtp(overrides)))).toEqual([
      'BAD_REQUEST',
      [{ path: [field], message }],
    ]);
    expect(await operator.settings.mail.get.query()).toBeNull();
  });
});
