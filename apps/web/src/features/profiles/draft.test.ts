// The draft and core's schemas agree for every server type: a new draft has each type's fields,
// and a stored profile comes back from the form as the same input.
import {
  SERVER_TYPE_NAMES,
  emailProfileCreateSchema,
  profileFieldSchemas,
  publicEmailProfileSchema,
} from '@email-profiles/core';
import { describe, expect, it } from 'vitest';
import { draftOf, newDraft, toCreateInput } from './draft';

const server = {
  host: 'mail.example.test',
  port: 993,
  encryption: 'ssl',
  tlsTrust: { mode: 'fingerprint', sha256: 'AB'.repeat(32) },
} as const;
const common = {
  id: 'p-1',
  manualCode: '0f8fad5b-d9cb-469f-a165-70867728950e',
  emailAddress: 'user@example.test',
  sendVerificationManually: true,
  zoneId: null,
  actorIds: ['a-1'],
};
const stored = {
  graph: {
    serverType: 'graph',
    tenantId: 'contoso.onmicrosoft.com',
    clientId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    cloud: 'usgov',
  },
  gmail: {
    serverType: 'gmail',
    clientId: '1234567890-abc123.apps.googleusercontent.com',
    consentGranted: true,
  },
  imap: {
    serverType: 'imap',
    username: 'user@example.test',
    incoming: { ...server, authType: 'ntlm' },
    outgoing: { ...server, port: 465, requiresAuth: true, authType: 'plain' },
  },
  pop3: {
    serverType: 'pop3',
    username: 'user@example.test',
    incoming: { ...server, port: 995, authType: 'plain' },
    outgoing: {
      ...server,
      port: 25,
      encryption: 'off',
      tlsTrust: { mode: 'system' },
      requiresAuth: false,
    },
  },
} as const;

describe('the profile draft', () => {
  it.each(SERVER_TYPE_NAMES)('a new draft has every field of a %s profile', (type) => {
    const draft: Record<string, unknown> = newDraft();
    for (const field of Object.keys(profileFieldSchemas[type].shape)) {
      expect(draft[field], field).toBeDefined();
    }
  });

  it.each(SERVER_TYPE_NAMES)('a stored %s profile comes back as the same input', (type) => {
    const profile = publicEmailProfileSchema.parse({ ...common, ...stored[type] });
    const input = toCreateInput(draftOf(profile));
    // Everything but the secrets, which the form leaves blank ("unchanged").
    const fields = Object.fromEntries(
      Object.entries(profile).filter(
        ([key]) => !['id', 'manualCode', 'consentGranted'].includes(key),
      ),
    );
    expect(input).toMatchObject(fields);
    expect(emailProfileCreateSchema.safeParse(input).success).toBe(false); // secrets blank
  });
});
