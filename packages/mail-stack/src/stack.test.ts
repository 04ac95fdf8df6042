// The whole stack, checked with raw sockets: greetings, STARTTLS where it belongs, IDLE missing
// on imapNoIdle, logins in every user-name form, deliveries, certificates, and a clean stop.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxSubjects, startMailStack, type MailStack, type MailUser } from './index.js';
import { descendants, isAlive, type ProcessRecord } from './processes.js';
import { Imap, Pop3, Smtp } from './testing/clients.js';
import { accepts, Wire } from './wire.js';

let stack: MailStack;
let stopped = false;
const opened: Array<{ close(): void }> = [];

function track<T extends { close(): void }>(session: T): T {
  opened.push(session);
  return session;
}

beforeAll(async () => {
  stack = await startMailStack();
});

afterAll(async () => {
  for (const session of opened) session.close();
  if (!stopped) await stack.stop();
});

const ca = () => ({ ca: stack.tls.caPem });
const dovecot = () => {
  if (stack.dovecot === undefined) throw new Error('no dovecot');
  return stack.dovecot;
};
const postfix = () => {
  if (stack.postfix === undefined) throw new Error('no postfix');
  return stack.postfix;
};
const cyrus = () => {
  if (stack.cyrus === undefined) throw new Error('no cyrus');
  return stack.cyrus;
};
const user = (users: readonly MailUser[], index = 0): MailUser => {
  const found = users[index];
  if (found === undefined) throw new Error(`no user ${index}`);
  return found;
};

function message(to: string, subject: string): string {
  return [
    'From: Tester <tester@example.test>',
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@example.test>`,
    '',
    'Hello from the mail-stack tests.',
    '.A line starting with a dot.',
    '',
  ].join('\r\n');
}

async function imapCount(port: number, username: string, password: string): Promise<number> {
  const imap = track(await Imap.open(port));
  try {
    expect(await imap.authPlain(username, password)).toMatch(/^OK/);
    const lines = await imap.command('SELECT INBOX');
    const exists = lines.find((line) => / EXISTS$/.test(line)) ?? '';
    return Number(/^\* (\d+) EXISTS/.exec(exists)?.[1] ?? NaN);
  } finally {
    imap.close();
  }
}

async function imapSearch(port: number, username: string, password: string, subject: string) {
  const imap = track(await Imap.open(port));
  try {
    expect(await imap.authPlain(username, password)).toMatch(/^OK/);
    await imap.command('SELECT INBOX');
    const lines = await imap.command(`SEARCH SUBJECT "${subject}"`);
    const found = lines.find((line) => line.startsWith('* SEARCH')) ?? '* SEARCH';
    return found.slice('* SEARCH'.length).trim().split(' ').filter(Boolean).map(Number);
  } finally {
    imap.close();
  }
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('greetings', () => {
  it('every port answers with its protocol greeting', async () => {
    const checks: Array<[string, number, RegExp, boolean]> = [
      ['dovecot imap', dovecot().ports.imap, /^\* OK/, false],
      ['dovecot imaps', dovecot().ports.imaps, /^\* OK/, true],
      ['dovecot imapNoIdle', dovecot().ports.imapNoIdle, /^\* OK/, false],
      ['dovecot pop3', dovecot().ports.pop3, /^\+OK/, false],
      ['dovecot pop3s', dovecot().ports.pop3s, /^\+OK/, true],
      ['dovecot lmtp', dovecot().ports.lmtp, /^220 /, false],
      ['postfix smtp', postfix().ports.smtp, /^220 /, false],
      ['postfix submission', postfix().ports.submission, /^220 /, false],
      ['postfix smtps', postfix().ports.smtps, /^220 /, true],
      ['cyrus imap', cyrus().ports.imap, /^\* OK/, false],
      ['cyrus imaps', cyrus().ports.imaps, /^\* OK/, true],
      ['cyrus pop3', cyrus().ports.pop3, /^\+OK/, false],
      ['cyrus pop3s', cyrus().ports.pop3s, /^\+OK/, true],
      ['cyrus lmtp', cyrus().ports.lmtp, /^220 /, false],
    ];
    for (const [name, port, greeting, implicitTls] of checks) {
      const wire = track(await Wire.connect({ port, tls: implicitTls ? ca() : undefined }));
      expect(await wire.readLine(), name).toMatch(greeting);
      expect(wire.encrypted, name).toBe(implicitTls);
      wire.close();
    }
  });
});

describe('TLS', () => {
  it('the CA verifies the server certificate on every TLS port, for localhost', async () => {
    const ports = [
      dovecot().ports.imaps,
      dovecot().ports.pop3s,
      postfix().ports.smtps,
      cyrus().ports.imaps,
      cyrus().ports.pop3s,
    ];
    for (const port of ports) {
      const wire = track(await Wire.connect({ port, tls: ca() }));
      const peer = wire.peerCertificate;
      expect(peer?.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(
        stack.tls.fingerprintSha256,
      );
      wire.close();
    }
  });

  it('an unknown CA is rejected (the servers do not use a public certificate)', async () => {
    await expect(
      Wire.connect({ port: dovecot().ports.imaps, tls: { ca: stack.tls.expired.certPem } }),
    ).rejects.toThrow();
  });

  it('the certificates are what they claim', () => {
    const caCert = new X509Certificate(stack.tls.caPem);
    const server = new X509Certificate(stack.tls.certPem);
    const expired = new X509Certificate(stack.tls.expired.certPem);
    const wrongHost = new X509Certificate(stack.tls.wrongHost.certPem);
    const now = Date.now();
    expect(caCert.ca).toBe(true);
    for (const cert of [server, expired, wrongHost]) {
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.ca).toBe(false);
    }
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(server.validFrom)).toBeLessThan(now);
    expect(Date.parse(server.validTo)).toBeGreaterThan(now);
    expect(server.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(
      stack.tls.fingerprintSha256,
    );
    expect(stack.tls.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);

    expect(expired.checkHost('localhost')).toBe('localhost');
    expect(expired.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(expired.validTo)).toBeLessThan(now);

    expect(wrongHost.checkHost('wrong.example.test')).toBe('wrong.example.test');
    expect(wrongHost.checkHost('localhost')).toBeUndefined();
    expect(wrongHost.checkIP('127.0.0.1')).toBeUndefined();
    expect(Date.parse(wrongHost.validTo)).toBeGreaterThan(now);
  });

  it('a TLS client rejects the expired and the wrong-host certificates for the reasons expected', async () => {
    const attempt = async (pair: { certPem: string; keyPem: string }) => {
      const server = tls.createServer({ cert: pair.certPem, key: pair.keyPem }, (socket) => {
        socket.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      try {
        await Wire.connect({ port, tls: ca() });
        return 'connected';
      } catch (error) {
        return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    };
    expect(await attempt(stack.tls.expired)).toBe('CERT_HAS_EXPIRED');
    expect(await attempt(stack.tls.wrongHost)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await attempt(stack.tls)).toBe('connected');
  });
});

describe('Dovecot', () => {
  it('offers STARTTLS on IMAP and STLS on POP3, and both upgrades verify', async () => {
    const imap = track(await Imap.open(dovecot().ports.imap));
    expect(await imap.capabilities()).toEqual(expect.arrayContaining(['STARTTLS', 'IDLE']));
    await imap.startTls(ca());
    expect(imap.wire.encrypted).toBe(true);
    expect(await imap.capabilities()).not.toContain('STARTTLS');
    imap.close();

    const pop3 = track(await Pop3.open(dovecot().ports.pop3));
    expect(await pop3.multiline('CAPA')).toContain('STLS');
    await pop3.startTls(ca());
    expect(pop3.wire.encrypted).toBe(true);
    pop3.close();
  });

  it('imapNoIdle does not advertise IDLE, before or after login', async () => {
    const actor = user(dovecot().users);
    const imap = track(await Imap.open(dovecot().ports.imapNoIdle));
    expect(imap.greeting).not.toMatch(/\bIDLE\b/);
    const before = await imap.capabilities();
    expect(before).not.toContain('IDLE');
    expect(before).toContain('STARTTLS');
    const login = await imap.authPlain(actor.username, actor.password);
    expect(login).toMatch(/^OK/);
    expect(login).not.toMatch(/\bIDLE\b/);
    const after = await imap.capabilities();
    expect(after).not.toContain('IDLE');
    expect(after).toEqual(expect.arrayContaining(['IMAP4rev1', 'UIDPLUS', 'MOVE', 'LITERAL+']));
    imap.close();
  });

  it('logs in as user@domain and as DOMAIN\\user (PLAIN, LOGIN command, POP3 USER) into the same mailbox', async () => {
    const actor = user(dovecot().users);
    expect(actor.domainUsername).toBe('EXAMPLE\\actor1');
    const { imap: imapPort, pop3: pop3Port } = dovecot().ports;
    const subject = 'Both forms';
    await stack.deliver(actor.address, message(actor.address, subject));

    for (const name of [actor.username, actor.domainUsername ?? '', 'example\\ACTOR1']) {
      expect(await imapSearch(imapPort, name, actor.password, subject), name).toHaveLength(1);
    }
    // LOGIN command with a quoted string (the backslash escaped).
    const imap = track(await Imap.open(imapPort));
    const quoted = `"${(actor.domainUsername ?? '').replaceAll('\\', '\\\\')}"`;
    expect((await imap.command(`LOGIN ${quoted} "${actor.password}"`)).at(-1)).toMatch(/^OK/);
    imap.close();

    const pop3 = track(await Pop3.open(pop3Port));
    expect(await pop3.login(actor.domainUsername ?? '', actor.password)).toMatch(/^\+OK/);
    expect(await pop3.count()).toBeGreaterThanOrEqual(1);
    pop3.close();
  });

  it('rejects wrong passwords without a growing delay (no auth penalty)', async () => {
    // Dovecot 2.3.19 answers failures on a fixed 0.5 s timer tick even with auth_failure_delay = 0;
    // with the anvil penalty on, the delay would grow towards 15 s.
    const actor = user(dovecot().users);
    const imap = track(await Imap.open(dovecot().ports.imap));
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      expect(await imap.authPlain(actor.username, 'wrong')).toMatch(/^NO \[AUTHENTICATIONFAILED\]/);
      // With the penalty the 3rd and 4th failures would take 4 s and 8 s.
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    expect(await imap.authPlain(actor.username, actor.password)).toMatch(/^OK/);
    imap.close();
  });

  it('deliver() makes a message appear (POP3 STAT goes up, IMAP SEARCH finds it)', async () => {
    const actor = user(dovecot().users, 1);
    const pop3 = track(await Pop3.open(dovecot().ports.pop3s, ca()));
    expect(await pop3.login(actor.username, actor.password)).toMatch(/^\+OK/);
    const before = await pop3.count();
    pop3.close();
    await stack.deliver(actor.address.toUpperCase(), message(actor.address, 'Delivered once'));
    const pop3Again = track(await Pop3.open(dovecot().ports.pop3));
    expect(await pop3Again.login(actor.username, actor.password)).toMatch(/^\+OK/);
    expect(await pop3Again.count()).toBe(before + 1);
    pop3Again.close();
    expect(
      await imapSearch(dovecot().ports.imap, actor.username, actor.password, 'Delivered once'),
    ).toHaveLength(1);
  });

  it('mailboxSubjects() lists the subjects, unfolded, oldest first', async () => {
    const actor = user(dovecot().users, 1);
    const folded = [
      'From: <tester@example.test>',
      'Subject: Folded',
      '\tsubject line',
      '',
      'body',
    ].join('\r\n');
    await stack.deliver(actor.address, folded);
    const subjects = await mailboxSubjects(stack, actor.address);
    expect(subjects.at(-1)).toBe('Folded subject line');
    expect(subjects).toContain('Delivered once');
    expect(subjects.indexOf('Delivered once')).toBeLessThan(subjects.length - 1);
  });

  it('deliver() refuses addresses no server holds', async () => {
    await expect(stack.deliver('nobody@example.test', message('x', 'y'))).rejects.toThrow(
      /no mailbox for nobody@example.test/,
    );
  });

  it('fillMailbox() writes many messages quickly, with the given date and subject prefix', async () => {
    const actor = user(dovecot().users, 1);
    const before = await imapCount(dovecot().ports.imap, actor.username, actor.password);
    const date = new Date('2024-02-03T04:05:06Z');
    const started = Date.now();
    await stack.fillMailbox(actor.address, 2_000, { date, subjectPrefix: 'Filler' });
    // About 0.2 s on an idle machine; generous for a CI box running every package's tests at once.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await imapCount(dovecot().ports.imap, actor.username, actor.password)).toBe(
      before + 2_000,
    );
    const imap = track(await Imap.open(dovecot().ports.imap));
    expect(await imap.authPlain(actor.username, actor.password)).toMatch(/^OK/);
    await imap.command('SELECT INBOX');
    const search = await imap.command('SEARCH SUBJECT "Filler 1999"');
    expect(search[0]).toMatch(/^\* SEARCH \d+$/);
    const fetched = await imap.command(`FETCH ${before + 1} (INTERNALDATE ENVELOPE)`);
    expect(fetched[0]).toContain('INTERNALDATE "03-Feb-2024 04:05:06 +0000"');
    expect(fetched[0]).toContain('"Sat, 3 Feb 2024 04:05:06 +0000"');
    imap.close();
  });
});

describe('Postfix', () => {
  it('plain port: no STARTTLS, AUTH in clear with PLAIN LOGIN CRAM-MD5 NTLM', async () => {
    const smtp = track(await Smtp.open(postfix().ports.smtp));
    const extensions = await smtp.ehlo();
    expect(extensions).not.toContain('STARTTLS');
    expect(extensions).toContain('AUTH PLAIN LOGIN CRAM-MD5 NTLM');
    smtp.close();
  });

  it('submission: STARTTLS offered and required before AUTH', async () => {
    const smtp = track(await Smtp.open(postfix().ports.submission));
    const before = await smtp.ehlo();
    expect(before).toContain('STARTTLS');
    expect(before.some((line) => line.startsWith('AUTH'))).toBe(false);
    expect(await smtp.send('x@example.test', 'actor1@example.test', 'x')).toMatch(/^530/);
    await smtp.startTls(ca());
    const after = await smtp.ehlo();
    expect(after).not.toContain('STARTTLS');
    expect(after).toContain('AUTH PLAIN LOGIN CRAM-MD5 NTLM');
    smtp.close();
  });

  it('smtps: implicit TLS, AUTH required to send', async () => {
    const sender = user(postfix().users);
    const smtp = track(await Smtp.open(postfix().ports.smtps, ca()));
    expect(smtp.wire.encrypted).toBe(true);
    await smtp.ehlo();
    expect(await smtp.send('x@example.test', 'actor1@example.test', 'x')).toMatch(/^554 5\.7\.1/);
    expect(await smtp.auth('LOGIN', sender.username, sender.password)).toMatch(/^235/);
    smtp.close();
  });

  it.each([
    ['PLAIN', 'sender@example.test'],
    ['PLAIN', 'EXAMPLE\\sender'],
    ['PLAIN', 'sender'],
    ['LOGIN', 'sender@example.test'],
    ['LOGIN', 'EXAMPLE\\sender'],
    ['LOGIN', 'sender'],
    ['CRAM-MD5', 'sender@example.test'],
    ['CRAM-MD5', 'EXAMPLE\\sender'],
    ['CRAM-MD5', 'sender'],
  ] as const)('AUTH %s as %s', async (mechanism, name) => {
    const sender = user(postfix().users);
    const smtp = track(await Smtp.open(postfix().ports.smtp));
    await smtp.ehlo();
    expect(await smtp.auth(mechanism, name, 'wrong')).toMatch(/^535/);
    expect(await smtp.auth(mechanism, name, sender.password)).toMatch(/^235/);
    smtp.close();
  });

  it.each(['EXAMPLE\\sender', 'example\\sender', 'sender', 'sender@example.test'])(
    'AUTH NTLM (NTLMv2) as %j',
    async (username) => {
      const sender = user(postfix().users);
      const smtp = track(await Smtp.open(postfix().ports.smtp));
      await smtp.ehlo();
      expect(await smtp.authNtlm({ username, password: 'wrong' })).toMatch(/^535/);
      expect(await smtp.authNtlm({ username, password: sender.password })).toMatch(/^235/);
      smtp.close();
    },
  );

  it('accepts unauthenticated mail for example.test on the plain port and delivers it to Dovecot', async () => {
    const actor = user(dovecot().users, 1);
    const smtp = track(await Smtp.open(postfix().ports.smtp));
    await smtp.ehlo();
    const subject = 'Unauthenticated via Postfix';
    expect(
      await smtp.send('director@elsewhere.test', actor.address, message(actor.address, subject)),
    ).toMatch(/^250/);
    expect(await smtp.send('director@elsewhere.test', 'someone@gmail.com', 'x')).toMatch(
      /^554 5\.7\.1 .*Relay access denied/,
    );
    expect(await smtp.send('director@elsewhere.test', 'nobody@example.test', 'x')).toMatch(/^550/);
    smtp.close();
    const found = await eventually(
      () => imapSearch(dovecot().ports.imap, actor.username, actor.password, subject),
      (ids) => ids.length === 1,
    );
    expect(found).toHaveLength(1);
  });

  it('delivers authenticated mail from submission (STARTTLS + PLAIN as EXAMPLE\\sender)', async () => {
    const sender = user(postfix().users);
    const actor = user(dovecot().users);
    const smtp = track(await Smtp.open(postfix().ports.submission));
    await smtp.ehlo();
    await smtp.startTls(ca());
    await smtp.ehlo();
    expect(await smtp.auth('PLAIN', sender.domainUsername ?? '', sender.password)).toMatch(/^235/);
    const subject = 'Authenticated via submission';
    expect(await smtp.send(sender.address, actor.address, message(actor.address, subject))).toMatch(
      /^250/,
    );
    smtp.close();
    const found = await eventually(
      () => imapSearch(dovecot().ports.imap, actor.username, actor.password, subject),
      (ids) => ids.length === 1,
    );
    expect(found).toHaveLength(1);
  });
});

describe('Cyrus', () => {
  it('offers STARTTLS/STLS and PLAIN LOGIN NTLM', async () => {
    const imap = track(await Imap.open(cyrus().ports.imap));
    expect(await imap.capabilities()).toEqual(
      expect.arrayContaining(['STARTTLS', 'AUTH=PLAIN', 'AUTH=LOGIN', 'AUTH=NTLM']),
    );
    await imap.startTls(ca());
    imap.close();
    const pop3 = track(await Pop3.open(cyrus().ports.pop3));
    const capa = await pop3.multiline('CAPA');
    expect(capa).toContain('STLS');
    expect(capa).toContain('SASL PLAIN LOGIN NTLM');
    await pop3.startTls(ca());
    pop3.close();
  });

  it('deliver() reaches the Cyrus mailbox (by address or bare user name)', async () => {
    const owner = user(cyrus().users);
    expect(owner.address).toBe('ntlmuser@localhost');
    const raw = message(owner.address, 'Cyrus delivery');
    await stack.deliver(owner.address, raw);
    await stack.deliver(owner.username, raw); // the same message again: no duplicate suppression
    expect(
      await imapSearch(cyrus().ports.imap, owner.username, owner.password, 'Cyrus delivery'),
    ).toHaveLength(2);
    const pop3 = track(await Pop3.open(cyrus().ports.pop3s, ca()));
    expect(await pop3.login(owner.username, owner.password)).toMatch(/^\+OK/);
    expect(await pop3.count()).toBe(2);
    pop3.close();
    expect(await mailboxSubjects(stack, owner.address)).toEqual([
      'Cyrus delivery',
      'Cyrus delivery',
    ]);
  });

  // The Cyrus NTLM server hashes UPPER(user + domain) where clients hash UPPER(user) + domain:
  // a lower-case domain only works because the client upper-cases it.
  it.each([
    ['EXAMPLE\\ntlmuser', true],
    ['example\\ntlmuser', true],
    ['LOCALHOST\\ntlmuser', true],
    ['ntlmuser', true],
    ['ntlmuser@localhost', false],
  ] as const)('NTLM (NTLMv2) over IMAP and POP3 as %j', async (username, works) => {
    const owner = user(cyrus().users);
    const imap = track(await Imap.open(cyrus().ports.imap));
    expect(await imap.authNtlm({ username, password: 'wrong' })).toMatch(/^NO/);
    expect(await imap.authNtlm({ username, password: owner.password })).toMatch(
      works ? /^OK/ : /^NO/,
    );
    imap.close();
    const pop3 = track(await Pop3.open(cyrus().ports.pop3));
    expect(await pop3.authNtlm({ username, password: owner.password })).toMatch(
      works ? /^\+OK/ : /^-ERR/,
    );
    pop3.close();
  });

  it('PLAIN works with the bare user name only', async () => {
    const owner = user(cyrus().users);
    for (const [name, works] of [
      ['ntlmuser', true],
      ['ntlmuser@localhost', false],
      ['EXAMPLE\\ntlmuser', false],
    ] as const) {
      const imap = track(await Imap.open(cyrus().ports.imap));
      expect(await imap.authPlain(name, owner.password), name).toMatch(works ? /^OK/ : /^NO/);
      imap.close();
    }
  });

  it('fillMailbox() works over LMTP', async () => {
    const owner = user(cyrus().users, 1);
    await stack.fillMailbox(owner.address, 25, { subjectPrefix: 'Cyrus filler' });
    expect(await imapCount(cyrus().ports.imap, owner.username, owner.password)).toBe(25);
  });
});

describe('stop()', () => {
  it('leaves no process, no port and no run folder behind', async () => {
    const masters = JSON.parse(
      readFileSync(path.join(stack.dir, 'pids.json'), 'utf8'),
    ) as ProcessRecord[];
    expect(masters.map((record) => record.name).sort()).toEqual([
      'cyrus',
      'dovecot',
      'dovecot (imapNoIdle)',
      'postfix',
    ]);
    const all = [...masters, ...descendants(masters)];
    expect(all.every(isAlive)).toBe(true);
    const ports = [stack.dovecot, stack.postfix, stack.cyrus].flatMap((server) =>
      Object.values(server?.ports ?? {}),
    );
    expect(ports).toHaveLength(14);

    const started = Date.now();
    stopped = true;
    await stack.stop();
    const took = Date.now() - started;
    expect(took).toBeLessThan(8_000);

    expect(all.filter(isAlive)).toEqual([]);
    for (const port of ports) expect(await accepts(port), `port ${port}`).toBe(false);
    expect(existsSync(stack.dir)).toBe(false);
    await stack.stop(); // idempotent
  });
});
