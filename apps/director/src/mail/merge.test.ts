import { describe, expect, it } from 'vitest';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
  type DirectorMailSettings,
} from '@email-profiles/core';
import { mergeMailSettings } from './merge.js';

const gmail = {
  method: 'gmail',
  fromAddress: 'director@example.test',
  clientId: '123-abc.apps.googleusercontent.com',
  clientSecret: 'GOCSPX-stored',
};
const stored = directorMailSettingsSchema.parse({
  ...gmail,
  refreshToken: '1//stored',
  consentedAddress: 'director@example.test',
});

const merge = (
  update: Record<string, unknown>,
  before: DirectorMailSettings | undefined = stored,
) => mergeMailSettings(before, directorMailSettingsUpdateSchema.parse(update));

describe('merging a mail settings update', () => {
  it('keeps the secret and the consent while client and address stay', () => {
    const merged = merge({ ...gmail, clientSecret: '', fromAddress: 'DIRECTOR@example.test' });
    expect(merged).toMatchObject({
      ok: true,
      settings: { clientSecret: 'GOCSPX-stored', refreshToken: '1//stored' },
    });
  });

  it.each([
    ['another from-address', { fromAddress: 'other@example.test' }],
    ['another client', { clientId: '456-def.apps.googleusercontent.com' }],
  ])('drops the consent for %s', (_, change) => {
    const merged = merge({ ...gmail, clientSecret: '', ...change });
    expect(merged.ok && merged.settings).not.toHaveProperty('refreshToken');
  });

  it('asks for the secret of a new method, on its field', () => {
    expect(
      merge({
        method: 'graph',
        fromAddress: 'director@contoso.example',
        tenantId: 'contoso.onmicrosoft.com',
        clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
      }),
    ).toEqual({
      ok: false,
      issues: [{ path: ['clientSecret'], message: 'Enter the client secret value' }],
    });
    const first = directorMailSettingsUpdateSchema.parse({ ...gmail, clientSecret: '' });
    expect(mergeMailSettings(undefined, first)).toEqual({
      ok: false,
      issues: [{ path: ['clientSecret'], message: 'Enter the client secret' }],
    });
  });
});
