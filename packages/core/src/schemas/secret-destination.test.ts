// A stored secret follows its destination: for every server type and mail-settings method, a
// change to any field the secret is sent to makes a blank secret an error on its field; any other
// change keeps it. The same answer from the stored values and from their public view.
import { describe, expect, it } from 'vitest';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
  mailSettingsFieldSchemas,
  publicDirectorMailSettingsSchema,
  type DirectorMailSettings,
} from './mail-settings.js';
import { mailSettingsSecretCheck, mergeMailSettings } from './mail-settings-update.js';
import {
  emailProfileUpdateSchema,
  profileFieldSchemas,
  publicEmailProfileSchema,
  emailProfileSchema,
  type EmailProfile,
  type EmailProfileCreateInput,
  type EmailProfileUpdateInput,
} from './profile.js';
import { mergeProfileUpdate, profileSecretCheck } from './profile-update.js';
import { destinationFieldsOf, secretFieldsOf } from './secret.js';

type Plain = Record<string, unknown>;

const imapInput = (overrides: Plain = {}) =>
  ({
    serverType: 'imap',
    emailAddress: 'actor1@example.test',
    actorIds: ['actor-1'],
    username: 'actor1@example.test',
    password: 's3cret!',
    incoming: { host: 'imap.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
    outgoing: {
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
    },
    ...overrides,
  }) as EmailProfileCreateInput;
const graphInput = (overrides: Plain = {}) =>
  ({
    serverType: 'graph',
    emailAddress: 'actor@contoso.com',
    actorIds: ['actor-1'],
    tenantId: 'contoso.onmicrosoft.com',
    clientId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    clientSecret: 'Abc8Q~xYz.1234567890abcdefghijklmnopqrs',
    ...overrides,
  }) as EmailProfileCreateInput;
const gmailInput = (overrides: Plain = {}) =>
  ({
    serverType: 'gmail',
    emailAddress: 'actor@gmail.com',
    actorIds: ['actor-1'],
    clientId: '1234567890-abc123.apps.googleusercontent.com',
    clientSecret: 'GOCSPX-secretvalue',
    ...overrides,
  }) as EmailProfileCreateInput;
const stored = (input: EmailProfileCreateInput, extra: Plain = {}): EmailProfile =>
  emailProfileSchema.parse({
    ...input,
    id: 'profile-1',
    manualCode: '0f8fad5b-d9cb-469f-a165-70867728950e',
    ...extra,
  });

/** A table row with its title: the field changed, or the other variant switched to. */
const titled = (row: readonly [string, unknown, string]) =>
  [
    row[0] || `the variant, to ${String((row[1] as Plain).serverType ?? (row[1] as Plain).method)}`,
    ...row,
  ] as const;

/** A copy of `value` with `path` ("incoming.port") set; the path "" replaces the whole value. */
function withChange(value: Plain, path: string, next: unknown): Plain {
  if (path === '') return next as Plain;
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  return {
    ...value,
    [head]: rest.length === 0 ? next : withChange(value[head] as Plain, rest.join('.'), next),
  };
}

const PIN =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
const again = (secret: string, what: string) =>
  `Enter the ${secret} again: ${what} changed, so the stored ${secret} is not sent to it`;

/** What the edit form sends: its input, the secret left blank. */
const formInput = (values: Plain, secretKey: string) =>
  ({ ...values, [secretKey]: '', id: 'profile-1' }) as unknown as EmailProfileUpdateInput;

const publicOf = (profile: EmailProfile) =>
  publicEmailProfileSchema.parse({ ...profile, consentGranted: false });

/** [field path, new value, what changed] for each destination of each server type. */
const mailServerChanges = (type: 'imap' | 'pop3') =>
  [
    ['serverType', type === 'imap' ? 'pop3' : 'imap', 'the server type'],
    ['username', 'other@example.test', 'the account username'],
    ['incoming.host', 'attacker.example.test', 'the incoming server'],
    ['incoming.port', 1993, 'the incoming server'],
    ['incoming.encryption', 'starttls', 'the incoming server'],
    ['incoming.authType', 'ntlm', 'the incoming server'],
    ['incoming.tlsTrust', { mode: 'fingerprint', sha256: PIN }, 'the incoming server'],
    ['outgoing.host', '127.0.0.1', 'the outgoing server'],
    ['outgoing.port', 2525, 'the outgoing server'],
    ['outgoing.encryption', 'ssl', 'the outgoing server'],
    ['outgoing.authType', 'ntlm', 'the outgoing server'],
    ['outgoing.tlsTrust', { mode: 'ca', pem: PEM }, 'the outgoing server'],
  ] as const;

const profileCases = [
  ['imap', imapInput(), 'password', mailServerChanges('imap')],
  ['pop3', imapInput({ serverType: 'pop3' }), 'password', mailServerChanges('pop3')],
  [
    'graph',
    graphInput(),
    'clientSecret',
    [
      ['', gmailInput(), 'the server type'],
      ['tenantId', 'fabrikam.onmicrosoft.com', 'the tenant ID'],
      ['clientId', '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b', 'the client ID'],
      ['cloud', 'usgov', 'the Microsoft cloud'],
    ],
  ],
  [
    'gmail',
    gmailInput(),
    'clientSecret',
    [
      ['', graphInput(), 'the server type'],
      ['clientId', '999-zzz.apps.googleusercontent.com', 'the client ID'],
    ],
  ],
] as const;

/** Fields that are not where the secret goes: changing them keeps it. */
const neutralProfileChanges = [
  ['emailAddress', 'renamed@example.test'],
  ['actorIds', ['actor-1', 'actor-2']],
  ['sendVerificationManually', true],
  ['zoneId', 'zone-1'],
] as const;

describe('profiles: a blank secret follows its destination', () => {
  for (const [type, input, secretKey, changes] of profileCases) {
    const existing = stored(input);
    const secretWords = secretKey === 'password' ? 'password' : 'client secret';
    const update = (change: Plain, secret = '') =>
      emailProfileUpdateSchema.parse({ ...change, [secretKey]: secret, id: 'profile-1' });

    describe(type, () => {
      it.each(changes.map(titled))('changing %s needs the secret again', (_, path, next, what) => {
        const changed = withChange(input, path, next);
        const expected = {
          ok: false,
          issues: [{ path: [secretKey], message: again(secretWords, what) }],
        };
        expect(mergeProfileUpdate(existing, update(changed))).toEqual(expected);
        // The web form, with only the public view and its own input, says the same.
        const fromForm = profileSecretCheck(publicOf(existing), formInput(changed, secretKey));
        expect(fromForm.issues).toEqual(expected.issues);
        expect(fromForm.reentry).toEqual({ [secretKey]: again(secretWords, what) });
      });

      it.each(changes.map(titled))(
        'changing %s with the secret typed again saves it',
        (_, path, next) => {
          const merged = mergeProfileUpdate(
            existing,
            update(withChange(input, path, next), 'typed-again-123'),
          );
          expect(merged.ok && (merged.value as Plain)[secretKey]).toBe('typed-again-123');
        },
      );

      it.each(neutralProfileChanges.map((c) => [...c]))(
        'changing only %s keeps the stored secret',
        (path, next) => {
          const merged = mergeProfileUpdate(existing, update(withChange(input, path, next)));
          expect(merged.ok && (merged.value as Plain)[secretKey]).toBe(
            (existing as Plain)[secretKey],
          );
          const fromForm = profileSecretCheck(
            publicOf(existing),
            formInput(withChange(input, path, next), secretKey),
          );
          expect(fromForm).toMatchObject({ changed: [], keep: [secretKey], issues: [] });
        },
      );
    });
  }

  it('compares normalised values: host case and spaces, fingerprint colons, defaults', () => {
    const pinned = stored(
      imapInput({
        incoming: {
          host: 'imap.example.test',
          port: 993,
          encryption: 'ssl',
          authType: 'plain',
          tlsTrust: { mode: 'fingerprint', sha256: PIN.replace(/:/g, '').toLowerCase() },
        },
      }),
    );
    const input = imapInput({
      password: '',
      incoming: {
        host: '  IMAP.Example.TEST ',
        port: 993,
        encryption: 'ssl',
        authType: 'plain',
        tlsTrust: { mode: 'fingerprint', sha256: PIN },
      },
      // tlsTrust left out: the default, the system CAs, as stored.
    });
    expect(profileSecretCheck(publicOf(pinned), { ...input, id: 'profile-1' })).toMatchObject({
      changed: [],
      keep: ['password'],
    });
    const merged = mergeProfileUpdate(
      pinned,
      emailProfileUpdateSchema.parse({ ...input, id: 'profile-1' }),
    );
    expect(merged.ok && merged.value.serverType === 'imap' && merged.value.password).toBe(
      's3cret!',
    );
  });

  it('names every changed destination', () => {
    const existing = stored(imapInput());
    const moved = imapInput({
      password: '',
      incoming: { host: 'a.example.test', port: 993, encryption: 'ssl', authType: 'plain' },
      outgoing: { host: 'b.example.test', port: 587, encryption: 'starttls', requiresAuth: false },
    });
    expect(profileSecretCheck(existing, { ...moved, id: 'profile-1' }).issues).toEqual([
      {
        path: ['password'],
        message: again('password', 'the incoming server and the outgoing server'),
      },
    ]);
  });

  it('marks every field a secret is sent to, and no secret', () => {
    const keys = (schema: (typeof profileFieldSchemas)[keyof typeof profileFieldSchemas]) =>
      destinationFieldsOf(schema).map((field) => field.key);
    expect(keys(profileFieldSchemas.imap)).toEqual([
      'serverType',
      'username',
      'incoming',
      'outgoing',
    ]);
    expect(keys(profileFieldSchemas.pop3)).toEqual([
      'serverType',
      'username',
      'incoming',
      'outgoing',
    ]);
    expect(keys(profileFieldSchemas.graph)).toEqual([
      'serverType',
      'tenantId',
      'clientId',
      'cloud',
    ]);
    expect(keys(profileFieldSchemas.gmail)).toEqual(['serverType', 'clientId']);
    for (const schema of Object.values(profileFieldSchemas)) {
      for (const key of secretFieldsOf(schema)) expect(keys(schema)).not.toContain(key);
    }
  });

  it("keeps Gmail's consent only with its destination", () => {
    const gmail = stored(gmailInput(), {
      refreshToken: '1//token',
      consentedAddress: 'a@gmail.com',
    });
    const same = profileSecretCheck(gmail, {
      ...gmailInput({ clientSecret: '' }),
      id: 'profile-1',
    });
    expect(same.keepConsent).toBe(true);
    const other = profileSecretCheck(gmail, {
      ...gmailInput({ clientId: '999-zzz.apps.googleusercontent.com', clientSecret: 'new' }),
      id: 'profile-1',
    });
    expect(other).toMatchObject({ keepConsent: false, issues: [] });
    // Another mailbox: the old account's refresh token would read the wrong mailbox.
    const moved = profileSecretCheck(gmail, {
      ...gmailInput({ clientSecret: '', emailAddress: 'b@gmail.com' }),
      id: 'profile-1',
    });
    expect(moved).toMatchObject({ keepConsent: false, issues: [] });
    const recased = profileSecretCheck(gmail, {
      ...gmailInput({
        clientSecret: '',
        emailAddress: ` ${gmailInput().emailAddress.toUpperCase()}`,
      }),
      id: 'profile-1',
    });
    expect(recased.keepConsent).toBe(true);
  });
});

const smtp = (overrides: Plain = {}): Plain => ({
  method: 'smtp',
  fromAddress: 'director@example.test',
  host: 'smtp.example.test',
  port: 587,
  encryption: 'starttls',
  requiresAuth: true,
  authType: 'plain',
  username: 'director@example.test',
  password: 'pa55',
  ...overrides,
});
const graph = (overrides: Plain = {}): Plain => ({
  method: 'graph',
  fromAddress: 'director@contoso.example',
  tenantId: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b',
  clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
  clientSecret: 'Qx8~secretValue',
  ...overrides,
});
const gmail = (overrides: Plain = {}): Plain => ({
  method: 'gmail',
  fromAddress: 'director@gmail.example',
  clientId: '1234567890-abc123.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-secret',
  ...overrides,
});

const settingsCases = [
  [
    'smtp',
    smtp(),
    'password',
    [
      ['host', 'attacker.example.test', 'the server address'],
      ['port', 2525, 'the port'],
      ['encryption', 'ssl', 'the encryption'],
      ['authType', 'login', 'the authentication type'],
      ['username', 'other', 'the user name'],
      ['tlsTrust', { mode: 'fingerprint', sha256: PIN }, 'the certificate trust'],
    ],
    [
      ['fromAddress', 'other@example.test'],
      ['fromName', 'Verification'],
    ],
  ],
  [
    'graph',
    graph(),
    'clientSecret',
    [
      ['', gmail(), 'the sending method'],
      ['tenantId', 'fabrikam.onmicrosoft.com', 'the tenant ID'],
      ['clientId', '3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'the client ID'],
      ['cloud', 'china', 'the Microsoft cloud'],
    ],
    [
      ['fromAddress', 'other@contoso.example'],
      ['fromName', 'Verification'],
    ],
  ],
  [
    'gmail',
    gmail(),
    'clientSecret',
    [
      ['', graph(), 'the sending method'],
      ['clientId', '999-zzz.apps.googleusercontent.com', 'the client ID'],
    ],
    [
      ['fromAddress', 'other@gmail.example'],
      ['fromName', 'Verification'],
    ],
  ],
] as const;

const publicSettingsOf = (settings: DirectorMailSettings) =>
  publicDirectorMailSettingsSchema.parse({
    ...settings,
    passwordSet: 'password' in settings && settings.password !== undefined,
    consentGranted: false,
  });

describe('mail settings: a blank secret follows its destination', () => {
  for (const [method, input, secretKey, changes, neutral] of settingsCases) {
    const existing = directorMailSettingsSchema.parse(input);
    const secretWords = secretKey === 'password' ? 'password' : 'client secret';
    const blank = (change: Plain) => ({ ...change, [secretKey]: '' });

    describe(method, () => {
      it.each(changes.map(titled))('changing %s needs the secret again', (_, path, next, what) => {
        const changed = blank(withChange(input, path, next));
        const issues = [{ path: [secretKey], message: again(secretWords, what) }];
        expect(
          mergeMailSettings(existing, directorMailSettingsUpdateSchema.parse(changed)),
        ).toEqual({ ok: false, issues });
        expect(
          mailSettingsSecretCheck(publicSettingsOf(existing), changed as never).issues,
        ).toEqual(issues);
      });

      it.each(changes.map(titled))(
        'changing %s with the secret typed again saves it',
        (_, path, next) => {
          const changed = withChange(input, path, next);
          const merged = mergeMailSettings(
            existing,
            directorMailSettingsUpdateSchema.parse({ ...changed, [secretKey]: 'typed-again-123' }),
          );
          expect(merged.ok && (merged.value as Plain)[secretKey]).toBe('typed-again-123');
        },
      );

      it.each(neutral.map((c) => [...c]))(
        'changing only %s keeps the stored secret',
        (path, next) => {
          const changed = blank(withChange(input, path, next));
          const merged = mergeMailSettings(
            existing,
            directorMailSettingsUpdateSchema.parse(changed),
          );
          expect(merged.ok && (merged.value as Plain)[secretKey]).toBe(input[secretKey]);
          expect(
            mailSettingsSecretCheck(publicSettingsOf(existing), changed as never),
          ).toMatchObject({
            changed: [],
            keep: [secretKey],
            issues: [],
          });
        },
      );
    });
  }

  it('turning authentication off drops the password; turning it on asks for one', () => {
    const existing = directorMailSettingsSchema.parse(smtp());
    const off = smtp({
      requiresAuth: false,
      authType: undefined,
      username: undefined,
      password: '',
    });
    const merged = mergeMailSettings(existing, directorMailSettingsUpdateSchema.parse(off));
    expect(merged.ok && merged.value).not.toHaveProperty('password');
    // A public view that still says a password is stored (say, from an older Director): the
    // switch to "requires authentication" is a new destination, so the form asks for it again.
    const view = {
      ...publicSettingsOf(existing),
      requiresAuth: false,
    };
    expect(mailSettingsSecretCheck(view as never, smtp({ password: '' }) as never).issues).toEqual([
      { path: ['password'], message: again('password', '"requires authentication"') },
    ]);
  });

  it('asks for the SMTP password with authentication and none stored, in the Director as in the form', () => {
    const first = directorMailSettingsUpdateSchema.parse(smtp({ password: '' }));
    expect(mergeMailSettings(undefined, first)).toEqual({
      ok: false,
      issues: [{ path: ['password'], message: 'Enter the password' }],
    });
    expect(mailSettingsSecretCheck(null, smtp({ password: '' }) as never).issues).toEqual([
      { path: ['password'], message: 'Enter the password' },
    ]);
  });

  it('asks for the secret of a first save on its field, in its own words', () => {
    expect(
      mergeMailSettings(
        undefined,
        directorMailSettingsUpdateSchema.parse(gmail({ clientSecret: '' })),
      ),
    ).toEqual({
      ok: false,
      issues: [{ path: ['clientSecret'], message: 'Enter the client secret' }],
    });
  });

  it('compares the host case-insensitively and trimmed', () => {
    const existing = directorMailSettingsSchema.parse(smtp());
    const merged = mergeMailSettings(
      existing,
      directorMailSettingsUpdateSchema.parse(smtp({ host: ' SMTP.example.TEST ', password: '' })),
    );
    expect(merged.ok && merged.value.method === 'smtp' && merged.value.password).toBe('pa55');
  });

  it('keeps Gmail consent while the client and the address stay, even if the secret is new', () => {
    const existing = directorMailSettingsSchema.parse(
      gmail({ refreshToken: '1//stored', consentedAddress: 'director@gmail.example' }),
    );
    const check = (change: Plain) =>
      mailSettingsSecretCheck(existing, gmail({ clientSecret: 'new', ...change }) as never)
        .keepConsent;
    expect(check({ fromAddress: 'DIRECTOR@gmail.example' })).toBe(true);
    expect(check({ fromAddress: 'other@gmail.example' })).toBe(false);
    expect(check({ clientId: '999-zzz.apps.googleusercontent.com' })).toBe(false);
  });

  it('marks every field a secret is sent to', () => {
    const keys = (method: keyof typeof mailSettingsFieldSchemas) =>
      destinationFieldsOf(mailSettingsFieldSchemas[method]).map((field) => field.key);
    expect(keys('smtp')).toEqual([
      'method',
      'host',
      'port',
      'encryption',
      'requiresAuth',
      'authType',
      'username',
      'tlsTrust',
    ]);
    expect(keys('graph')).toEqual(['method', 'tenantId', 'clientId', 'cloud']);
    expect(keys('gmail')).toEqual(['method', 'clientId']);
  });
});
