// No line-protocol or header injection, no disguised names, inert reported text: every field that
// reaches a protocol line, a mail header or an operator's screen, with hostile and legitimate values.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  accountUsernameSchema,
  displayNameSchema,
  emailAddressSchema,
  serverAddressSchema,
} from './fields.js';
import { hasLineBreakOrNul, inertText, nameCharacterProblem, reportedTextSchema } from './text.js';
import {
  directorMailSettingsSchema,
  directorMailSettingsUpdateSchema,
} from '../schemas/mail-settings.js';
import { emailProfileCreateSchema, emailProfileUpdateSchema } from '../schemas/profile.js';
import { securityZoneCreateSchema } from '../schemas/zone.js';
import { actorEnrollSchema, heartbeatSchema, taskResultSchema } from '../schemas/actor-api.js';
import { failureSchema } from '../failures/taxonomy.js';
import { probeStepSchema } from '../transport/interfaces.js';

const messages = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};
const fieldMessages = (schema: z.ZodType, value: unknown, field: string) => {
  const result = schema.safeParse(value);
  return result.success
    ? []
    : result.error.issues
        .filter((issue) => issue.path.join('.') === field)
        .map((issue) => issue.message);
};

/** What breaks a protocol line, in the middle of a value (trimming cannot remove it). */
const lineBreaks: [string, string][] = [
  ['CR LF', 'a\r\nDELE 1'],
  ['lone CR', 'a\rDELE 1'],
  ['lone LF', 'a\nDELE 1'],
  ['NUL', 'a\u0000b'],
];

describe('hasLineBreakOrNul', () => {
  it.each(lineBreaks)('%s', (_, value) => {
    expect(hasLineBreakOrNul(value)).toBe(true);
  });
  it.each(['plain', 'pässwörd€', 'tab\tinside', 'quote " and \\ backslash', '密码🔑', ''])(
    'accepts %j',
    (value) => {
      expect(hasLineBreakOrNul(value)).toBe(false);
    },
  );
});

const imapProfile = {
  serverType: 'imap',
  emailAddress: 'box@example.com',
  actorIds: ['a1'],
  username: 'box@example.com',
  password: 'secret',
  incoming: { host: 'mail.example.com', port: 993, encryption: 'ssl', authType: 'plain' },
  outgoing: { host: 'mail.example.com', port: 587, encryption: 'starttls', requiresAuth: false },
};
const smtpSettings = {
  method: 'smtp',
  fromAddress: 'director@example.com',
  host: 'smtp.example.com',
  port: 587,
  encryption: 'starttls',
  requiresAuth: true,
  authType: 'plain',
  username: 'director',
  password: 'secret',
};

describe('values that go onto an IMAP/POP3/SMTP line are refused with a field error', () => {
  const cases: [string, z.ZodType, (bad: string) => unknown, string, string][] = [
    [
      'profile password (create)',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, password: `secret${bad}` }),
      'password',
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'profile password (update)',
      emailProfileUpdateSchema,
      (bad) => ({ ...imapProfile, id: 'p1', serverType: 'pop3', password: `secret${bad}` }),
      'password',
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'profile username',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, username: `box@example.com${bad}` }),
      'username',
      'The username cannot contain line breaks or NUL characters',
    ],
    [
      'profile username as DOMAIN\\user',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, username: `EXAMPLE\\box${bad}` }),
      'username',
      'The username cannot contain line breaks or NUL characters',
    ],
    [
      'profile email address',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, emailAddress: `box@example.com${bad}` }),
      'emailAddress',
      'The email address cannot contain line breaks or NUL characters',
    ],
    [
      'incoming server address',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, incoming: { ...imapProfile.incoming, host: `mail${bad}` } }),
      'incoming.host',
      'The server address cannot contain line breaks or NUL characters',
    ],
    [
      'outgoing server address',
      emailProfileCreateSchema,
      (bad) => ({ ...imapProfile, outgoing: { ...imapProfile.outgoing, host: `mail${bad}` } }),
      'outgoing.host',
      'The server address cannot contain line breaks or NUL characters',
    ],
    [
      'mail settings password',
      directorMailSettingsSchema,
      (bad) => ({ ...smtpSettings, password: `secret${bad}` }),
      'password',
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'mail settings password (update)',
      directorMailSettingsUpdateSchema,
      (bad) => ({ ...smtpSettings, password: `secret${bad}` }),
      'password',
      'The password cannot contain line breaks or NUL characters',
    ],
    [
      'mail settings user name',
      directorMailSettingsUpdateSchema,
      (bad) => ({ ...smtpSettings, username: `director${bad}` }),
      'username',
      'The user name cannot contain line breaks or NUL characters',
    ],
    [
      'mail settings from-address',
      directorMailSettingsUpdateSchema,
      (bad) => ({ ...smtpSettings, fromAddress: `director@example.com${bad}` }),
      'fromAddress',
      'The email address cannot contain line breaks or NUL characters',
    ],
    [
      'mail settings SMTP host',
      directorMailSettingsUpdateSchema,
      (bad) => ({ ...smtpSettings, host: `smtp${bad}` }),
      'host',
      'The server address cannot contain line breaks or NUL characters',
    ],
  ];
  for (const [name, schema, build, field, message] of cases) {
    it.each(lineBreaks)(`${name}: %s`, (_, bad) => {
      expect(fieldMessages(schema, build(bad), field)).toEqual([message]);
    });
  }

  it('still accepts legitimate unicode, quotes, backslashes and tabs in passwords', () => {
    for (const password of ['pässwörd€', '密码🔑', 'a"b\\c', 'tab\there', ' spaces kept ']) {
      expect(emailProfileCreateSchema.safeParse({ ...imapProfile, password }).success).toBe(true);
      expect(directorMailSettingsSchema.safeParse({ ...smtpSettings, password }).success).toBe(
        true,
      );
    }
  });

  it('the field schemas alone say the same', () => {
    expect(messages(emailAddressSchema, 'a@example.com\r\nRCPT TO:<b@example.com>')).toEqual([
      'The email address cannot contain line breaks or NUL characters',
    ]);
    // A line break at either end is trimmed away (the value stored and sent has none); NUL is not.
    expect(accountUsernameSchema.parse('a@example.com\r\n')).toBe('a@example.com');
    expect(messages(accountUsernameSchema, 'a@example.com\u0000')).toEqual([
      'The username cannot contain line breaks or NUL characters',
    ]);
    expect(messages(accountUsernameSchema, 'a\u0000@example.com')).toEqual([
      'The username cannot contain line breaks or NUL characters',
    ]);
    expect(messages(serverAddressSchema, 'mail.example.com\nQUIT x')).toEqual([
      'The server address cannot contain line breaks or NUL characters',
    ]);
  });
});

/** Characters that disguise a name or break a log line, in the middle of the name. */
const disguises: [string, string, string][] = [
  ['CR LF (a fake log line)', 'x\r\nFAKE LOG LINE', 'control'],
  ['lone CR', 'x\rFAKE', 'control'],
  ['lone LF', 'x\nFAKE', 'control'],
  ['NUL', 'x\u0000y', 'control'],
  ['tab', 'x\ty', 'control'],
  ['escape (terminal colours)', 'x\u001b[31my', 'control'],
  ['DEL', 'x\u007fy', 'control'],
  ['C1 control (NEL)', 'x\u0085y', 'control'],
  ['line separator U+2028', 'x\u2028y', 'control'],
  ['paragraph separator U+2029', 'x\u2029y', 'control'],
  ['right-to-left override U+202E', 'actorHQ\u202egnp.exe', 'direction'],
  ['left-to-right embedding U+202A', 'x\u202ay', 'direction'],
  ['pop directional formatting U+202C', 'x\u202cy', 'direction'],
  ['left-to-right isolate U+2066', 'x\u2066y', 'direction'],
  ['pop directional isolate U+2069', 'x\u2069y', 'direction'],
  ['left-to-right mark U+200E', 'x\u200ey', 'direction'],
  ['right-to-left mark U+200F', 'x\u200fy', 'direction'],
  ['Arabic letter mark U+061C', 'x\u061cy', 'direction'],
  ['zero-width space U+200B', 'ad\u200bmin', 'zero-width'],
  ['zero-width non-joiner U+200C', 'x\u200cy', 'zero-width'],
  ['zero-width joiner U+200D', 'x\u200dy', 'zero-width'],
  ['word joiner U+2060', 'x\u2060y', 'zero-width'],
  ['byte order mark U+FEFF', 'x\ufeffy', 'zero-width'],
];
const kindMessage = {
  control: 'A name cannot contain line breaks, tabs or other control characters',
  direction:
    'A name cannot contain text-direction characters (such as U+202E), which can disguise it',
  'zero-width': 'A name cannot contain invisible zero-width characters (such as U+200B)',
} as const;

describe('names shown to operators', () => {
  it.each(disguises)('%s is refused', (_, name, kind) => {
    const message = kindMessage[kind as keyof typeof kindMessage];
    expect(nameCharacterProblem(name)).toBe(message);
    expect(messages(displayNameSchema, name)).toEqual([message]);
    expect(fieldMessages(securityZoneCreateSchema, { name }, 'name')).toEqual([message]);
    expect(
      fieldMessages(actorEnrollSchema, { enrollmentToken: 'x'.repeat(43), name }, 'name'),
    ).toEqual([message]);
  });

  it.each([
    'DMZ',
    'Branch office – Zürich',
    'Филиал Москва',
    'مكتب دبي',
    'שרת תל אביב',
    '東京オフィス',
    'Actor 🚀 #2',
    'Zoë (front-desk)',
  ])('%s is accepted', (name) => {
    expect(displayNameSchema.safeParse(name)).toEqual({ success: true, data: name });
  });

  it('the sender name of the mail settings: the same rule, said for the sender name', () => {
    for (const [, fromName, kind] of disguises) {
      const expected = kindMessage[kind as keyof typeof kindMessage].replace(
        'A name',
        'A sender name',
      );
      expect(
        fieldMessages(
          directorMailSettingsUpdateSchema,
          { ...smtpSettings, fromName: `Director${fromName}` },
          'fromName',
        ),
      ).toEqual([expected]);
    }
    expect(
      directorMailSettingsUpdateSchema.safeParse({ ...smtpSettings, fromName: 'Équipe Sécurité' })
        .success,
    ).toBe(true);
    // A header injection attempt: a Bcc line smuggled into the From header.
    expect(
      fieldMessages(
        directorMailSettingsSchema,
        { ...smtpSettings, fromName: 'Director\r\nBcc: victim@example.com' },
        'fromName',
      ),
    ).toEqual([kindMessage.control.replace('A name', 'A sender name')]);
  });
});

describe('text actors report is stored inert and bounded', () => {
  it.each<[string, string, string]>([
    ['CR LF and lone CR become LF', '-ERR a\r\nb\rc', '-ERR a\nb\nc'],
    ['NUL, ESC and DEL become spaces', 'a\u0000b\u001b[31mc\u007f', 'a b [31mc '],
    ['C1 controls and U+2028/2029 become spaces', 'a\u0085b\u2028c\u2029d', 'a b c d'],
    ['tab and LF stay', 'a\tb\nc', 'a\tb\nc'],
    ['direction overrides are removed', 'evil\u202egnp.exe\u2066\u200f', 'evilgnp.exe'],
    ['zero-width characters are removed', 'a\u200bb\u200dc\u2060d\ufeff', 'abcd'],
    ['unicode text is kept', 'Ошибка: 认证失败 🚫', 'Ошибка: 认证失败 🚫'],
  ])('%s', (_, raw, expected) => {
    expect(inertText(raw, 100)).toBe(expected);
    expect(reportedTextSchema(100).parse(raw)).toBe(expected);
  });

  it('cuts long text with "…" instead of refusing it, never inside a surrogate pair', () => {
    expect(inertText('x'.repeat(5000), 2000)).toBe(`${'x'.repeat(1999)}…`);
    const cut = inertText(`${'x'.repeat(8)}🚀🚀🚀`, 10);
    expect(cut).toBe(`${'x'.repeat(8)}…`);
    expect(inertText(cut, 10)).toBe(cut);
  });

  it('is idempotent', () => {
    for (const raw of ['a\r\nb\u0000', 'x'.repeat(3000), 'ok', 'a\u202eb']) {
      const once = inertText(raw, 1000);
      expect(inertText(once, 1000)).toBe(once);
    }
  });

  it('a hostile failure from an actor is accepted, cleaned and cut', () => {
    const failure = failureSchema.parse({
      stage: 'auth',
      summary: 'Login failed.\r\nFAKE LOG LINE',
      serverText: `-ERR \u001b[2J${'y'.repeat(50_000)}`,
      hint: 'Check\u202e the password',
      transient: false,
    });
    expect(failure.summary).toBe('Login failed.\nFAKE LOG LINE');
    expect(failure.serverText).toHaveLength(1000);
    expect(failure.serverText?.startsWith('-ERR  [2Jyyy')).toBe(true);
    expect(failure.hint).toBe('Check the password');
  });

  it('probe step details and results too', () => {
    const step = probeStepSchema.parse({
      name: 'greeting',
      status: 'ok',
      durationMs: 1,
      summary: `+OK ${'z'.repeat(900)}`,
      greeting: {
        banner: '+OK hi\u0000\r\n* FAKE',
        capabilities: Array.from({ length: 300 }, (_, i) => `CAP${i}\u200b`),
        starttls: true,
        authMechanisms: ['PLAIN\u0007'],
      },
      facts: { mechanism: 'PLAIN\r\nX' },
    });
    expect(step.summary).toHaveLength(500);
    expect(step.greeting?.banner).toBe('+OK hi \n* FAKE');
    expect(step.greeting?.capabilities).toHaveLength(200);
    expect(step.greeting?.capabilities[0]).toBe('CAP0');
    expect(step.greeting?.authMechanisms).toEqual(['PLAIN ']);
    expect(step.facts).toEqual({ mechanism: 'PLAIN\nX' });

    const result = taskResultSchema.parse({
      kind: 'find_code',
      taskId: 't1',
      result: {
        found: true,
        subject: `(code)\u202e${'s'.repeat(2000)}`,
        via: 'search',
        durationMs: 1,
      },
    });
    expect(
      result.kind === 'find_code' && result.result.found && result.result.subject,
    ).toHaveLength(1000);
    expect(heartbeatSchema.parse({ version: '1.0\r\nx' }).version).toBe('1.0\nx');
  });
});
