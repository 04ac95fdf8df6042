import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  accountUsernameSchema,
  displayNameSchema,
  emailAddressSchema,
  gmailClientIdSchema,
  graphClientIdSchema,
  idSchema,
  portSchema,
  serverAddressSchema,
  tenantIdSchema,
  verificationCodeSchema,
} from './fields.js';
import { checkHost, isIPv4, isIPv6 } from './host.js';

type Case = [input: unknown, expected: { value: unknown } | { message: string | RegExp }];

function runTable(schema: z.ZodType, cases: Case[]) {
  it.each(cases)('%j', (input, expected) => {
    const result = schema.safeParse(input);
    if ('value' in expected) {
      expect(result.error?.issues).toBeUndefined();
      expect(result.data).toEqual(expected.value);
    } else {
      expect(result.success).toBe(false);
      expect(result.error?.issues).toHaveLength(1);
      expect(result.error?.issues[0]?.path).toEqual([]);
      expect(result.error?.issues[0]?.message).toMatch(expected.message);
    }
  });
}

describe('email address', () => {
  runTable(emailAddressSchema, [
    ['actor1@example.com', { value: 'actor1@example.com' }],
    ['  First.Last+tag@Mail.Example.co.uk ', { value: 'First.Last+tag@Mail.Example.co.uk' }],
    ["o'brien@example.test", { value: "o'brien@example.test" }],
    ['', { message: 'Enter an email address' }],
    ['   ', { message: 'Enter an email address' }],
    [42, { message: 'Enter an email address' }],
    ['actor.example.com', { message: 'An email address needs an "@", like name@example.com' }],
    ['@example.com', { message: 'Enter the part before the "@"' }],
    ['actor@', { message: 'Enter the domain after the "@"' }],
    [
      'actor@localhost',
      { message: '"localhost" is not a full domain: expected something like example.com' },
    ],
    ['act or@example.com', { message: /"act or" is not a valid mailbox name/ }],
    ['.actor@example.com', { message: /is not a valid mailbox name/ }],
    ['a..b@example.com', { message: /is not a valid mailbox name/ }],
    ['a@b@example.com', { message: /"a@b" is not a valid mailbox name/ }],
    [
      `${'a'.repeat(65)}@example.com`,
      { message: 'The part before the "@" can be at most 64 characters' },
    ],
    [
      `a@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(70)}.com`,
      { message: 'An email address can be at most 254 characters' },
    ],
    ['actor@exa_mple.com', { message: '"exa_mple.com" is not a valid email domain' }],
    ['actor@example.com.', { message: '"example.com." is not a valid email domain' }],
    ['actor@192.168.1.1', { message: '"192.168.1.1" is not a valid email domain' }],
  ]);
});

describe('account username', () => {
  runTable(accountUsernameSchema, [
    ['actor1@example.com', { value: 'actor1@example.com' }],
    ['CORP\\actor1', { value: 'CORP\\actor1' }],
    [' corp-01\\svc.mail ', { value: 'corp-01\\svc.mail' }],
    ['', { message: 'Enter the account username' }],
    [null, { message: 'Enter the account username' }],
    ['actor1', { message: 'Use the form user@domain or DOMAIN\\user' }],
    [
      'actor1@example',
      {
        message:
          'Use the form user@domain: "example" is not a full domain: expected something like example.com',
      },
    ],
    ['\\actor1', { message: 'Enter the domain before "\\", as in DOMAIN\\user' }],
    ['CORP\\', { message: 'Enter the user name after "\\", as in DOMAIN\\user' }],
    ['CORP\\a\\b', { message: 'Use a single "\\" between domain and user' }],
    [
      'VERYLONGDOMAINNAME\\actor',
      {
        message:
          'The domain "VERYLONGDOMAINNAME" is longer than the 15 characters a NetBIOS domain can have',
      },
    ],
    ['CO*RP\\actor', { message: '"CO*RP" is not a valid NetBIOS domain name' }],
    ['.CORP\\actor', { message: '".CORP" is not a valid NetBIOS domain name' }],
    ['12345\\actor', { message: '"12345" is not a valid NetBIOS domain name' }],
    ['CORP\\a:b', { message: '"a:b" is not a valid Windows user name' }],
    ['CORP\\...', { message: '"..." is not a valid Windows user name' }],
    [
      'CORP\\abcdefghijklmnopqrstu',
      {
        message:
          'The user name "abcdefghijklmnopqrstu" is longer than 20 characters (the Windows sAMAccountName limit)',
      },
    ],
  ]);
});

describe('server address', () => {
  runTable(serverAddressSchema, [
    ['imap.example.com', { value: 'imap.example.com' }],
    ['  IMAP.Example.COM  ', { value: 'imap.example.com' }],
    ['mail.example.com.', { value: 'mail.example.com' }],
    ['mailhost', { value: 'mailhost' }],
    ['192.0.2.10', { value: '192.0.2.10' }],
    ['::1', { value: '::1' }],
    ['[2001:DB8::1]', { value: '2001:db8::1' }],
    ['::ffff:192.0.2.1', { value: '::ffff:192.0.2.1' }],
    ['', { message: 'Enter the server address' }],
    [undefined, { message: 'Enter the server address' }],
    [
      'imaps://mail.example.com',
      { message: 'Remove "imaps://": enter only the server name or IP address' },
    ],
    ['mail.example.com:993', { message: 'Remove ":993" and enter the port in the Port field' }],
    ['[::1]:993', { message: 'Remove ":993" and enter the port in the Port field' }],
    [
      'mail.example.com/owa',
      { message: 'Remove "/owa": enter only the server name or IP address' },
    ],
    ['mail example.com', { message: 'The server address cannot contain spaces' }],
    ['user@mail.example.com', { message: 'Enter the server name, not an email address' }],
    [
      '256.1.1.1',
      { message: '"256.1.1.1" is not a valid IPv4 address (four numbers 0-255, no leading zeros)' },
    ],
    ['010.1.1.1', { message: /is not a valid IPv4 address/ }],
    ['1.2.3', { message: '"1.2.3" is neither a valid IP address nor a host name' }],
    ['2001:db8::1::2', { message: '"2001:db8::1::2" is not a valid IPv6 address' }],
    ['[fe80::1%eth0]', { message: '"fe80::1%eth0" is not a valid IPv6 address' }],
    ['-mail.example.com', { message: /"-mail" is not a valid host name part/ }],
    ['mail..example.com', { message: 'The host name has an empty part (two dots in a row?)' }],
    [`${'a'.repeat(64)}.com`, { message: 'Each part of a host name can be at most 63 characters' }],
    [`${'abcdefghi.'.repeat(26)}com`, { message: 'A host name can be at most 253 characters' }],
    ['mail_server.local', { message: /"mail_server" is not a valid host name part/ }],
  ]);

  it('recognises address families', () => {
    expect(checkHost('10.0.0.1')).toEqual({ ok: true, host: '10.0.0.1', kind: 'ipv4' });
    expect(checkHost('fe80::1')).toMatchObject({ ok: true, kind: 'ipv6' });
    expect(checkHost('mx1.example.net')).toMatchObject({ ok: true, kind: 'hostname' });
    expect(isIPv4('0.0.0.0')).toBe(true);
    expect(isIPv4('1.2.3.04')).toBe(false);
    expect(isIPv6('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7')).toBe(false);
    expect(isIPv6('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIPv6('1::2:3:4:5:6:7:8')).toBe(false);
    expect(isIPv6('::ffff:999.0.2.1')).toBe(false);
    expect(isIPv6('12345::1')).toBe(false);
  });
});

describe('port', () => {
  runTable(portSchema, [
    [993, { value: 993 }],
    [1, { value: 1 }],
    [65535, { value: 65535 }],
    [0, { message: 'A port is between 1 and 65535' }],
    [65536, { message: 'A port is between 1 and 65535' }],
    [99.5, { message: 'A port is a whole number' }],
    ['993', { message: 'Enter a port number' }],
    [Number.NaN, { message: 'Enter a port number' }],
  ]);
});

describe('tenant ID', () => {
  runTable(tenantIdSchema, [
    ['72F988BF-86F1-41AF-91AB-2D7CD011DB47', { value: '72f988bf-86f1-41af-91ab-2d7cd011db47' }],
    ['contoso.onmicrosoft.com', { value: 'contoso.onmicrosoft.com' }],
    [' Contoso.com ', { value: 'contoso.com' }],
    ['', { message: 'Enter the Directory (tenant) ID' }],
    ['contoso', { message: /as a GUID .* or the tenant domain/ }],
    ['72f988bf-86f1-41af-91ab', { message: /as a GUID/ }],
  ]);
});

describe('Graph client ID', () => {
  runTable(graphClientIdSchema, [
    ['00000000-0000-0000-0000-00000000000A', { value: '00000000-0000-0000-0000-00000000000a' }],
    ['', { message: 'Enter the Application (client) ID' }],
    ['my-app', { message: /is a GUID like/ }],
  ]);
});

describe('Gmail client ID', () => {
  runTable(gmailClientIdSchema, [
    [
      '1234567890-abc123def456.apps.googleusercontent.com',
      { value: '1234567890-abc123def456.apps.googleusercontent.com' },
    ],
    ['', { message: 'Enter the OAuth client ID' }],
    ['abc.apps.googleusercontent.com', { message: /looks like 1234567890-abc123/ }],
    ['1234567890-abc123.apps.google.com', { message: /looks like 1234567890-abc123/ }],
  ]);
});

describe('identifiers and names', () => {
  runTable(idSchema, [
    ['actor_1-A', { value: 'actor_1-A' }],
    ['', { message: /Expected an identifier of letters/ }],
    ['a b', { message: /Expected an identifier of letters/ }],
    [7, { message: 'Expected an identifier' }],
  ]);
  runTable(displayNameSchema, [
    ['  DMZ  ', { value: 'DMZ' }],
    ['  ', { message: 'Enter a name' }],
    ['x'.repeat(65), { message: 'A name can be at most 64 characters' }],
  ]);
  runTable(verificationCodeSchema, [
    ['0f8fad5b-d9cb-469f-a165-70867728950e', { value: '0f8fad5b-d9cb-469f-a165-70867728950e' }],
    [
      '0F8FAD5B-D9CB-469F-A165-70867728950E',
      { message: 'Expected a version 4 UUID in lower case' },
    ],
    [
      '0f8fad5b-d9cb-169f-a165-70867728950e',
      { message: 'Expected a version 4 UUID in lower case' },
    ],
  ]);
});
