import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
  directorMailSettingsWarnings,
  publicDirectorMailSettingsSchema,
  type PublicDirectorMailSettings,
} from './mail-settings.js';

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
      'unknown method',
      { method: 'carrier-pigeon' },
      [['method', 'Choose how the Director sends email']],
    ],
  ])('rejects %s', (_, overrides, expected) => {
    expect(issues(directorMailSettingsSchema, smtp(overrides))).toEqual(expected);
  });

  it('keeps the stored password when the update leaves it blank', () => {
    const parsed = directorMailSettingsUpdateSchema.parse(smtp({ password: '' }));
    expect(parsed.password).toBeUndefined();
    expect(
      issues(directorMailSettingsUpdateSchema, smtp({ password: '', username: undefined })),
    ).toEqual([['username', 'Enter the user name']]);
  });

  it('has a public view without the password, saying whether one is set', () => {
    const view = publicDirectorMailSettingsSchema.parse({
      ...directorMailSettingsSchema.parse(smtp()),
      passwordSet: true,
    });
    expect(view).not.toHaveProperty('password');
    expect(view.passwordSet).toBe(true);
    expectTypeOf<PublicDirectorMailSettings>().not.toHaveProperty('password');
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
