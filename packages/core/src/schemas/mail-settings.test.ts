import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
  directorMailSettingsWarnings,
  publicDirectorMailSettingsSchema,
  type PublicDirectorMailSettings,
} from './mail-settings.js';
import { secretFieldsOf } from './secret.js';

const graph = (overrides: Record<string, unknown> = {}) => ({
  method: 'graph',
  fromAddress: 'director@contoso.example',
  tenantId: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b',
  clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
  clientSecret: 'Qx8~secretValue',
  ...overrides,
});

const gmail = (overrides: Record<string, unknown> = {}) => ({
  method: 'gmail',
  fromAddress: 'director@gmail.example',
  clientId: '1234567890-abc123.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-secret',
  ...overrides,
});

const smtp = (overrides: Record<string, unknown> = {}) => ({
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

const issues = (
  schema: typeof directorMailSettingsSchema | typeof directorMailSettingsUpdateSchema,
  input: unknown,
) => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
};

describe('Director mail settings', () => {
  it('accepts SMTP with and without authentication', () => {
    expect(issues(directorMailSettingsSchema, smtp())).toEqual([]);
    expect(
      issues(
        directorMailSettingsSchema,
        smtp({
          requiresAuth: false,
          authType: undefined,
          username: undefined,
          password: undefined,
          port: 25,
          encryption: 'off',
        }),
      ),
    ).toEqual([]);
    expect(
      issues(directorMailSettingsSchema, smtp({ authType: 'ntlm', username: 'CORP\\director' })),
    ).toEqual([]);
  });

  it.each(['plain', 'login', 'cram-md5', 'ntlm'])(
    'accepts the SMTP auth mechanism %s, with a user name other than the from-address',
    (authType) => {
      expect(
        issues(directorMailSettingsSchema, smtp({ authType, username: 'relay-user' })),
      ).toEqual([]);
    },
  );

  it('accepts Office 365 (Graph) and Gmail API settings', () => {
    const parsed = directorMailSettingsSchema.parse(graph());
    expect(parsed).toMatchObject({ method: 'graph', cloud: 'global' });
    expect(issues(directorMailSettingsSchema, gmail())).toEqual([]);
    expect(
      issues(directorMailSettingsSchema, gmail({ refreshToken: '1//r', consentedAddress: 'x@y' })),
    ).toEqual([]);
  });

  it.each<[string, unknown, string[][]]>([
    [
      'Graph without its fields',
      { method: 'graph', fromAddress: 'a@b.example' },
      [
        ['tenantId', 'Enter the Directory (tenant) ID'],
        ['clientId', 'Enter the Application (client) ID'],
        ['clientSecret', 'Enter the client secret value'],
      ],
    ],
    [
      'a Graph secret ID instead of its value',
      graph({ clientSecret: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b' }),
      [
        [
          'clientSecret',
          "This looks like the secret ID (a GUID). Enter the secret's Value, shown once when the secret is created in Azure",
        ],
      ],
    ],
    [
      'a Graph client ID that is not a GUID, and an unknown cloud',
      graph({ clientId: 'my-app', cloud: 'mars' }),
      [
        [
          'clientId',
          'The Application (client) ID is a GUID like 00000000-0000-0000-0000-000000000000 (from Azure: App registrations > Overview)',
        ],
        ['cloud', 'Choose the Microsoft cloud'],
      ],
    ],
    [
      'Gmail with a Graph-style client ID and no secret',
      gmail({ clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b', clientSecret: undefined }),
      [
        [
          'clientId',
          'A Google OAuth client ID looks like 1234567890-abc123.apps.googleusercontent.com (Google Cloud console > Credentials)',
        ],
        ['clientSecret', 'Enter the client secret'],
      ],
    ],
    [
      'Gmail without a from-address',
      gmail({ fromAddress: '' }),
      [['fromAddress', 'Enter an email address']],
    ],
  ])('rejects %s', (_, input, expected) => {
    expect(issues(directorMailSettingsSchema, input)).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, string[][]]>([
    [
      'auth without type, user or password',
      { authType: undefined, username: undefined, password: undefined },
      [
        ['authType', 'Choose the authentication type'],
        ['username', 'Enter the user name'],
        ['password', 'Enter the password'],
      ],
    ],
    [
      'auth type without auth',
      { requiresAuth: false, username: undefined, password: undefined },
      [['authType', 'An authentication type applies only when the server requires authentication']],
    ],
    [
      'bad from address and host',
      { fromAddress: 'director', host: 'smtp://x' },
      [
        ['fromAddress', 'An email address needs an "@", like name@example.com'],
        ['host', 'Remove "smtp://": enter only the server name or IP address'],
      ],
    ],
    [
      'bad NetBIOS user',
      { username: 'CORP\\a\\b' },
      [['username', 'Use the form DOMAIN\\user with a valid NetBIOS domain']],
    ],
    ['blank user', { username: '  ' }, [['username', 'Enter the user name']]],
    [
      'an unknown auth mechanism',
      { authType: 'digest-md5' },
      [['authType', 'Choose Plain, Login, CRAM-MD5 or NTLM']],
    ],
    [
      'unknown method',
      { method: 'carrier-pigeon' },
      [['method', 'Choose how the Director sends email']],
    ],
  ])('rejects %s', (_, overrides, expected) => {
    expect(issues(directorMailSettingsSchema, smtp(overrides))).toEqual(expected);
  });

  it('keeps the stored password when the update leaves it blank', () => {
    const parsed = directorMailSettingsUpdateSchema.parse(smtp({ password: '' }));
    expect(parsed.method === 'smtp' && parsed.password).toBeUndefined();
    expect(
      issues(directorMailSettingsUpdateSchema, smtp({ password: '', username: undefined })),
    ).toEqual([['username', 'Enter the user name']]);
  });

  it('keeps blank Graph and Gmail secrets as "keep", and takes no refresh token from an update', () => {
    const kept = directorMailSettingsUpdateSchema.parse(graph({ clientSecret: '' }));
    expect(kept.method === 'graph' && kept.clientSecret).toBeUndefined();
    const update = directorMailSettingsUpdateSchema.parse(
      gmail({ clientSecret: '', refreshToken: 'smuggled' }),
    );
    expect(update).not.toHaveProperty('refreshToken');
    expect(update.method === 'gmail' && update.clientSecret).toBeUndefined();
  });

  it('marks the password, client secrets and refresh token as secret', () => {
    expect(directorMailSettingsSchema.options.map((option) => secretFieldsOf(option))).toEqual([
      ['password'],
      ['clientSecret'],
      ['clientSecret', 'refreshToken'],
    ]);
  });

  it('has a public view without secrets, saying whether a password is set or consent is done', () => {
    const view = publicDirectorMailSettingsSchema.parse({
      ...directorMailSettingsSchema.parse(smtp()),
      passwordSet: true,
    });
    expect(view).not.toHaveProperty('password');
    expect(view.method === 'smtp' && view.passwordSet).toBe(true);
    expectTypeOf<PublicDirectorMailSettings>().not.toHaveProperty('password');
    const graphView = publicDirectorMailSettingsSchema.parse(
      directorMailSettingsSchema.parse(graph()),
    );
    expect(graphView).not.toHaveProperty('clientSecret');
    const gmailView = publicDirectorMailSettingsSchema.parse({
      ...directorMailSettingsSchema.parse(gmail({ refreshToken: '1//r', consentedAddress: 'd@g' })),
      consentGranted: true,
    });
    expect(gmailView).not.toHaveProperty('refreshToken');
    expect(gmailView).not.toHaveProperty('clientSecret');
    expect(gmailView).toMatchObject({ consentGranted: true, consentedAddress: 'd@g' });
  });

  it('warns about a port/encryption mismatch and clear-text passwords', () => {
    expect(
      directorMailSettingsWarnings({ port: 465, encryption: 'starttls', requiresAuth: false }),
    ).toHaveLength(1);
    expect(
      directorMailSettingsWarnings({ port: 25, encryption: 'off', requiresAuth: true }),
    ).toEqual([
      {
        path: ['encryption'],
        message: 'With encryption Off the password is sent over the network in clear text',
      },
    ]);
    expect(
      directorMailSettingsWarnings({ port: 587, encryption: 'starttls', requiresAuth: true }),
    ).toEqual([]);
  });
});
