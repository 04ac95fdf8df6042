import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  emailProfileCreateSchema,
  emailProfileSchema,
  emailProfileUpdateSchema,
  emailProfileWarnings,
  publicEmailProfileSchema,
  type EmailProfile,
  type EmailProfileCreateInput,
  type PublicEmailProfile,
} from './profile.js';
import { mergeProfileUpdate } from './profile-update.js';
import { defaultPort } from './servers.js';
import { secretFieldsOf } from './secret.js';
import { profileFieldSchemas, storedProfileSchemas } from './profile.js';

export const GRAPH_CLIENT = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
export const MANUAL_CODE = '0f8fad5b-d9cb-469f-a165-70867728950e';

export function imapInput(
  overrides: Partial<Record<string, unknown>> = {},
): EmailProfileCreateInput {
  return {
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
  };
}

export const graphInput = (
  overrides: Partial<Record<string, unknown>> = {},
): EmailProfileCreateInput => ({
  serverType: 'graph',
  emailAddress: 'actor@contoso.com',
  actorIds: ['actor-1'],
  tenantId: 'contoso.onmicrosoft.com',
  clientId: GRAPH_CLIENT,
  clientSecret: 'Abc8Q~xYz.1234567890abcdefghijklmnopqrs',
  ...overrides,
});

export const gmailInput = (
  overrides: Partial<Record<string, unknown>> = {},
): EmailProfileCreateInput => ({
  serverType: 'gmail',
  emailAddress: 'actor@gmail.com',
  actorIds: ['actor-1'],
  clientId: '1234567890-abc123.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-secretvalue',
  ...overrides,
});

export function stored(
  input: EmailProfileCreateInput,
  extra: Record<string, unknown> = {},
): EmailProfile {
  return emailProfileSchema.parse({ ...input, id: 'profile-1', manualCode: MANUAL_CODE, ...extra });
}

function issuesOf(input: unknown) {
  const result = emailProfileCreateSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

describe('create input', () => {
  it.each([
    ['imap', imapInput()],
    [
      'pop3',
      imapInput({
        serverType: 'pop3',
        incoming: { host: 'pop.example.test', port: 995, encryption: 'ssl', authType: 'ntlm' },
      }),
    ],
    ['graph', graphInput()],
    ['gmail', gmailInput()],
  ])('accepts a valid %s profile and fills defaults', (_, input) => {
    const parsed = emailProfileCreateSchema.parse(input);
    expect(parsed.sendVerificationManually).toBe(false);
    expect(parsed.zoneId).toBeNull();
    if (parsed.serverType === 'graph') expect(parsed.cloud).toBe('global');
    if (parsed.serverType === 'imap') expect(parsed.incoming.tlsTrust).toEqual({ mode: 'system' });
  });

  it.each<[string, unknown, [string, string][]]>([
    ['no server type', { emailAddress: 'a@example.com' }, [['serverType', 'Choose a server type']]],
    ['unknown server type', { serverType: 'exchange' }, [['serverType', 'Choose a server type']]],
    ['no actors', imapInput({ actorIds: [] }), [['actorIds', 'Select at least one actor']]],
    [
      'missing actors',
      imapInput({ actorIds: undefined }),
      [['actorIds', 'Select at least one actor']],
    ],
    [
      'duplicate actors',
      imapInput({ actorIds: ['a', 'a'] }),
      [['actorIds', 'An actor is selected more than once']],
    ],
    ['blank password', imapInput({ password: '' }), [['password', 'Enter the account password']]],
    [
      'bad username',
      imapInput({ username: 'actor1' }),
      [['username', 'Use the form user@domain or DOMAIN\\user']],
    ],
    [
      'incoming host with port',
      imapInput({
        incoming: {
          host: 'imap.example.test:993',
          port: 993,
          encryption: 'ssl',
          authType: 'plain',
        },
      }),
      [['incoming.host', 'Remove ":993" and enter the port in the Port field']],
    ],
    [
      'incoming auth type missing',
      imapInput({ incoming: { host: 'imap.example.test', port: 993, encryption: 'ssl' } }),
      [['incoming.authType', 'Choose Plain or NTLM']],
    ],
    [
      'incoming encryption unknown',
      imapInput({
        incoming: { host: 'imap.example.test', port: 993, encryption: 'tls', authType: 'plain' },
      }),
      [['incoming.encryption', 'Choose Off, SSL/TLS or STARTTLS']],
    ],
    [
      'SMTP auth required without type, plus another error',
      imapInput({
        outgoing: {
          host: 'smtp.example.test',
          port: 0,
          encryption: 'starttls',
          requiresAuth: true,
        },
      }),
      [
        ['outgoing.port', 'A port is between 1 and 65535'],
        ['outgoing.authType', 'Choose the authentication type'],
      ],
    ],
    [
      'SMTP auth type without requiring auth',
      imapInput({
        outgoing: {
          host: 'smtp.example.test',
          port: 25,
          encryption: 'off',
          requiresAuth: false,
          authType: 'ntlm',
        },
      }),
      [
        [
          'outgoing.authType',
          'An authentication type applies only when the server requires authentication',
        ],
      ],
    ],
    [
      'bad pinned fingerprint',
      imapInput({
        incoming: {
          host: 'imap.example.test',
          port: 993,
          encryption: 'ssl',
          authType: 'plain',
          tlsTrust: { mode: 'fingerprint', sha256: 'abc' },
        },
      }),
      [
        [
          'incoming.tlsTrust.sha256',
          'A SHA-256 fingerprint is 64 hex digits (colons allowed), as printed by openssl x509 -fingerprint -sha256',
        ],
      ],
    ],
    [
      'graph secret ID instead of value',
      graphInput({ clientSecret: GRAPH_CLIENT }),
      [
        [
          'clientSecret',
          "This looks like the secret ID (a GUID). Enter the secret's Value, shown once when the secret is created in Azure",
        ],
      ],
    ],
    [
      'graph bad tenant',
      graphInput({ tenantId: 'contoso' }),
      [['tenantId', expect.stringMatching(/as a GUID/)]],
    ],
    [
      'graph unknown cloud',
      graphInput({ cloud: 'mars' }),
      [['cloud', 'Choose the Microsoft cloud']],
    ],
    [
      'gmail bad client id',
      gmailInput({ clientId: 'abc' }),
      [['clientId', expect.stringMatching(/looks like/)]],
    ],
    [
      'gmail blank secret',
      gmailInput({ clientSecret: '   ' }),
      [['clientSecret', 'Enter the client secret']],
    ],
  ])('rejects %s with the field path and message', (_, input, expected) => {
    expect(issuesOf(input)).toEqual(expected);
  });

  it('normalises what users type', () => {
    const parsed = emailProfileCreateSchema.parse(
      imapInput({
        emailAddress: '  actor1@example.test ',
        incoming: {
          host: ' IMAP.Example.Test ',
          port: 993,
          encryption: 'ssl',
          authType: 'plain',
          tlsTrust: { mode: 'fingerprint', sha256: 'AB:'.repeat(31) + 'AB' },
        },
      }),
    );
    expect(parsed.emailAddress).toBe('actor1@example.test');
    if (parsed.serverType !== 'imap') throw new Error('expected imap');
    expect(parsed.incoming.host).toBe('imap.example.test');
    expect(parsed.incoming.tlsTrust).toEqual({ mode: 'fingerprint', sha256: 'ab'.repeat(32) });
  });

  it('accepts a custom CA and rejects anything that is not PEM', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const withCa = (tlsTrust: unknown) =>
      imapInput({
        incoming: {
          host: 'imap.example.test',
          port: 993,
          encryption: 'ssl',
          authType: 'plain',
          tlsTrust,
        },
      });
    expect(issuesOf(withCa({ mode: 'ca', pem }))).toEqual([]);
    expect(issuesOf(withCa({ mode: 'ca', pem: 'MIIB' }))).toEqual([
      ['incoming.tlsTrust.pem', expect.stringMatching(/PEM form/)],
    ]);
    expect(issuesOf(withCa({ mode: 'none' }))).toEqual([
      ['incoming.tlsTrust.mode', 'Choose how the server certificate is trusted'],
    ]);
  });
});

describe('public variant', () => {
  it('drops every secret, derived from the schema marks', () => {
    expect(secretFieldsOf(profileFieldSchemas.imap)).toEqual(['password']);
    expect(secretFieldsOf(profileFieldSchemas.graph)).toEqual(['clientSecret']);
    expect(secretFieldsOf(profileFieldSchemas.gmail)).toEqual(['clientSecret']);
    for (const option of publicEmailProfileSchema.options) {
      expect(Object.keys(option.shape)).not.toContain('password');
      expect(Object.keys(option.shape)).not.toContain('clientSecret');
      expect(Object.keys(option.shape)).not.toContain('refreshToken');
    }
  });

  it("lists the stored secrets of each server type, Gmail's refresh token included", () => {
    expect(secretFieldsOf(storedProfileSchemas.graph)).toEqual(['clientSecret']);
    expect(secretFieldsOf(storedProfileSchemas.gmail)).toEqual(['clientSecret', 'refreshToken']);
    expect(secretFieldsOf(storedProfileSchemas.imap)).toEqual(['password']);
    expect(secretFieldsOf(storedProfileSchemas.pop3)).toEqual(['password']);
    for (const [type, schema] of Object.entries(storedProfileSchemas)) {
      expect(schema.shape.serverType.value).toBe(type);
      expect(emailProfileSchema.options).toContain(schema);
    }
  });

  it('strips secrets from a stored profile when parsed', () => {
    const profile = stored(gmailInput(), { refreshToken: '1//refresh' });
    const view = publicEmailProfileSchema.parse({ ...profile, consentGranted: true });
    expect(JSON.stringify(view)).not.toMatch(/GOCSPX|refresh/);
    expect(view).toMatchObject({
      serverType: 'gmail',
      clientId: '1234567890-abc123.apps.googleusercontent.com',
      consentGranted: true,
    });
  });

  it('has no secret keys in its type', () => {
    type ImapView = Extract<PublicEmailProfile, { serverType: 'imap' }>;
    expectTypeOf<ImapView>().not.toHaveProperty('password');
    expectTypeOf<ImapView>().toHaveProperty('username');
    expectTypeOf<Extract<PublicEmailProfile, { serverType: 'gmail' }>>().not.toHaveProperty(
      'refreshToken',
    );
    expectTypeOf<Extract<EmailProfile, { serverType: 'gmail' }>>().toHaveProperty('refreshToken');
  });
});

describe('update input and merge', () => {
  const existing = stored(emailProfileCreateSchema.parse(imapInput()));

  it('treats a blank or absent secret as "keep"', () => {
    for (const password of ['', undefined]) {
      const update = emailProfileUpdateSchema.parse({
        ...imapInput({ password }),
        id: 'profile-1',
      });
      const merged = mergeProfileUpdate(existing, update);
      expect(merged).toEqual({ ok: true, value: existing });
    }
  });

  it('replaces a secret that was entered', () => {
    const update = emailProfileUpdateSchema.parse({
      ...imapInput({ password: 'new-pass' }),
      id: 'profile-1',
    });
    const merged = mergeProfileUpdate(existing, update);
    expect(merged.ok && merged.value.serverType === 'imap' && merged.value.password).toBe(
      'new-pass',
    );
  });

  it('still validates the rest of the update', () => {
    const result = emailProfileUpdateSchema.safeParse({
      ...imapInput({ password: '', username: 'x' }),
      id: 'profile-1',
    });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['username', 'Use the form user@domain or DOMAIN\\user'],
    ]);
  });

  it('asks for the secret again when the server type changes', () => {
    const update = emailProfileUpdateSchema.parse({
      ...graphInput({ clientSecret: '' }),
      id: 'profile-1',
    });
    expect(mergeProfileUpdate(existing, update)).toEqual({
      ok: false,
      issues: [{ path: ['clientSecret'], message: 'Enter the client secret value' }],
    });
  });

  it('asks for the password again across IMAP and POP3: the incoming server is another one', () => {
    const update = emailProfileUpdateSchema.parse({
      ...imapInput({ serverType: 'pop3', password: '' }),
      id: 'profile-1',
    });
    expect(mergeProfileUpdate(existing, update)).toEqual({
      ok: false,
      issues: [
        {
          path: ['password'],
          message:
            'Enter the password again: the server type changed, so the stored password is not sent to it',
        },
      ],
    });
  });

  it('refuses an update for another profile', () => {
    const update = emailProfileUpdateSchema.parse({ ...imapInput(), id: 'profile-2' });
    expect(mergeProfileUpdate(existing, update)).toMatchObject({
      ok: false,
      issues: [{ path: ['id'] }],
    });
  });

  it('keeps Gmail consent only while the client ID is unchanged', () => {
    const gmail = stored(gmailInput(), {
      refreshToken: '1//token',
      consentedAddress: 'actor@gmail.com',
    });
    const same = mergeProfileUpdate(
      gmail,
      emailProfileUpdateSchema.parse({ ...gmailInput({ clientSecret: '' }), id: 'profile-1' }),
    );
    expect(same.ok && same.value.serverType === 'gmail' && same.value.refreshToken).toBe(
      '1//token',
    );
    const other = mergeProfileUpdate(
      gmail,
      emailProfileUpdateSchema.parse({
        ...gmailInput({ clientId: '999-zzz.apps.googleusercontent.com', clientSecret: 'new' }),
        id: 'profile-1',
      }),
    );
    expect(
      other.ok && other.value.serverType === 'gmail' && other.value.refreshToken,
    ).toBeUndefined();
  });
});

describe('defaults and warnings', () => {
  it.each([
    ['imap', 'ssl', 993],
    ['imap', 'starttls', 143],
    ['imap', 'off', 143],
    ['pop3', 'ssl', 995],
    ['pop3', 'starttls', 110],
    ['smtp', 'starttls', 587],
    ['smtp', 'ssl', 465],
    ['smtp', 'off', 25],
  ] as const)('%s with %s defaults to port %i', (protocol, encryption, port) => {
    expect(defaultPort(protocol, encryption)).toBe(port);
  });

  it('warns, without rejecting, when port and encryption disagree', () => {
    const input = imapInput({
      incoming: { host: 'imap.example.test', port: 993, encryption: 'starttls', authType: 'plain' },
      outgoing: {
        host: 'smtp.example.test',
        port: 587,
        encryption: 'ssl',
        requiresAuth: true,
        authType: 'plain',
      },
    });
    const parsed = emailProfileCreateSchema.parse(input);
    expect(emailProfileWarnings(parsed)).toEqual([
      {
        path: ['incoming', 'encryption'],
        message: expect.stringMatching(/^Port 993 usually expects TLS/),
      },
      {
        path: ['outgoing', 'encryption'],
        message: expect.stringMatching(/^Port 587 usually speaks plain text first/),
      },
    ]);
  });

  it('warns when a password would travel in clear text', () => {
    const parsed = emailProfileCreateSchema.parse(
      imapInput({
        incoming: { host: 'imap.example.test', port: 143, encryption: 'off', authType: 'plain' },
        outgoing: { host: 'smtp.example.test', port: 25, encryption: 'off', requiresAuth: false },
      }),
    );
    expect(emailProfileWarnings(parsed)).toEqual([
      {
        path: ['incoming', 'encryption'],
        message: 'With encryption Off the password is sent over the network in clear text',
      },
    ]);
  });

  it('has nothing to warn about for API server types or matching ports', () => {
    expect(emailProfileWarnings(emailProfileCreateSchema.parse(graphInput()))).toEqual([]);
    expect(emailProfileWarnings(emailProfileCreateSchema.parse(imapInput()))).toEqual([]);
  });
});
