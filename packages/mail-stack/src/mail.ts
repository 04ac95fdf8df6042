// Putting mail into the stack's mailboxes, from the serializable stack info (so test files can do
// it with what the vitest global setup provides).
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dovecotDir, dovecotMaildir } from './dovecot.js';
import { run } from './exec.js';
import { lmtpDeliver, type Envelope } from './lmtp.js';
import type { MailStackInfo } from './types.js';
import type { MailUser } from './users.js';
import { Wire } from './wire.js';

type Mailbox =
  | { server: 'dovecot'; user: MailUser; lmtpPort: number }
  | { server: 'cyrus'; user: MailUser; lmtpPort: number };

/** Which server holds the mailbox of an address (case-insensitive). */
export function findMailbox(info: MailStackInfo, address: string): Mailbox {
  const wanted = address.trim().toLowerCase();
  const dovecotUser = info.dovecot?.users.find((user) => user.address.toLowerCase() === wanted);
  if (info.dovecot !== undefined && dovecotUser !== undefined) {
    return { server: 'dovecot', user: dovecotUser, lmtpPort: info.dovecot.ports.lmtp };
  }
  // Cyrus (virtdomains off) ignores the domain: "ntlmuser", "ntlmuser@localhost" are one mailbox.
  const local = wanted.split('@')[0];
  const cyrusUser = info.cyrus?.users.find(
    (user) => user.address.toLowerCase() === wanted || user.username.toLowerCase() === local,
  );
  if (info.cyrus !== undefined && cyrusUser !== undefined) {
    return { server: 'cyrus', user: cyrusUser, lmtpPort: info.cyrus.ports.lmtp };
  }
  const known = [...(info.dovecot?.users ?? []), ...(info.cyrus?.users ?? [])].map(
    (user) => user.address,
  );
  throw new Error(`no mailbox for ${address} in this mail stack (mailboxes: ${known.join(', ')})`);
}

/** Delivers one raw RFC 5322 message over LMTP into the server that owns the mailbox. */
export async function deliver(
  info: MailStackInfo,
  toAddress: string,
  rawMessage: string,
): Promise<void> {
  const mailbox = findMailbox(info, toAddress);
  await lmtpDeliver(mailbox.lmtpPort, [
    { from: 'mail-stack@localhost', to: mailbox.user.address, raw: rawMessage },
  ]);
}

export type FillOptions = { date?: Date; subjectPrefix?: string };

/** A small RFC 5322 message for tests: what a verification email looks like to a mailbox. */
export function testMessage(to: string, subject: string): string {
  return [
    'From: Director <director@example.test>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(new Date())}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@example.test>`,
    '',
    'This body must never be read.',
    '',
  ].join('\r\n');
}

const pad = (n: number) => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** An RFC 5322 date in UTC. */
export function rfc5322Date(date: Date): string {
  const day = DAYS[date.getUTCDay()] ?? 'Sun';
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day}, ${date.getUTCDate()} ${month} ${date.getUTCFullYear()} ${time} +0000`;
}

function bulkMessage(to: string, index: number, count: number, token: string, o: FillOptions) {
  const date = o.date ?? new Date();
  return [
    `Date: ${rfc5322Date(date)}`,
    'From: Mail Stack <bulk@mail-stack.localhost>',
    `To: <${to}>`,
    `Subject: ${o.subjectPrefix ?? 'Bulk message'} ${index + 1}`,
    `Message-ID: <bulk-${token}-${index + 1}@mail-stack.localhost>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Bulk message ${index + 1} of ${count}.`,
    '',
  ].join('\n');
}

async function pool(count: number, width: number, task: (index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

/**
 * Adds `count` messages to a mailbox quickly. Dovecot: maildir files written directly (tmp/, then
 * renamed into cur/ as not \Seen; the file time is the message's INTERNALDATE). Cyrus: one LMTP
 * session.
 */
export async function fillMailbox(
  info: MailStackInfo,
  address: string,
  count: number,
  options: FillOptions = {},
): Promise<void> {
  const mailbox = findMailbox(info, address);
  const token = randomBytes(4).toString('hex');
  const to = mailbox.user.address;
  if (mailbox.server === 'cyrus') {
    const messages = function* (): Generator<Envelope> {
      for (let index = 0; index < count; index++) {
        const raw = bulkMessage(to, index, count, token, options);
        yield { from: 'bulk@mail-stack.localhost', to, raw };
      }
    };
    await lmtpDeliver(mailbox.lmtpPort, messages());
    return;
  }
  const maildir = dovecotMaildir(info.dir, mailbox.user.username);
  const date = options.date ?? new Date();
  const seconds = Math.floor(date.getTime() / 1000);
  await pool(count, 64, async (index) => {
    const text = bulkMessage(to, index, count, token, options);
    const size = Buffer.byteLength(text);
    const lines = text.split('\n').length - 1;
    const name = `${seconds}.M${index}P${process.pid}R${token}.mail-stack,S=${size},W=${size + lines}`;
    const temporary = path.join(maildir, 'tmp', name);
    await writeFile(temporary, text, { mode: 0o644 });
    if (options.date !== undefined) await utimes(temporary, date, date);
    await rename(temporary, path.join(maildir, 'cur', `${name}:2,`));
  });
  // The files were written behind Dovecot's back, which maildir_very_dirty_syncs assumes never
  // happens: have Dovecot take them into its index now.
  const result = await run('doveadm', [
    '-c',
    path.join(dovecotDir(info.dir), 'main.conf'),
    'force-resync',
    '-u',
    mailbox.user.username,
    'INBOX',
  ]);
  if (result.code !== 0) throw new Error(`doveadm force-resync failed: ${result.stderr}`);
}

/** The Subject header of a message's header block: unfolded, not RFC 2047-decoded. */
function subjectOf(headerLines: readonly string[]): string | undefined {
  let subject: string | undefined;
  for (const line of headerLines) {
    if (subject !== undefined && /^[ \t]/.test(line)) subject += line.replace(/^[ \t]+/, ' ');
    else if (subject !== undefined) break;
    else if (/^subject:/i.test(line)) subject = line.slice('subject:'.length).trim();
  }
  return subject;
}

async function maildirSubjects(maildir: string): Promise<string[]> {
  const files: Array<{ file: string; mtime: number }> = [];
  for (const sub of ['new', 'cur']) {
    for (const name of await readdir(path.join(maildir, sub))) {
      const file = path.join(maildir, sub, name);
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined) files.push({ file, mtime: info.mtimeMs });
    }
  }
  files.sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file));
  const subjects: string[] = [];
  for (const { file } of files) {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) continue; // expunged meanwhile
    try {
      const buffer = Buffer.alloc(16_384);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      const header = text.split(/\r?\n\r?\n/)[0] ?? '';
      const subject = subjectOf(header.split(/\r?\n/));
      if (subject !== undefined) subjects.push(subject);
    } finally {
      await handle.close();
    }
  }
  return subjects;
}

async function imapSubjects(port: number, user: MailUser): Promise<string[]> {
  const wire = await Wire.connect({ port });
  try {
    await wire.readLine();
    const command = async (tag: string, text: string) => {
      wire.send(`${tag} ${text}`);
      const lines = await wire.readTagged(tag);
      if (!(lines.at(-1) ?? '').startsWith(`${tag} OK`)) {
        throw new Error(
          `IMAP ${text.split(' ')[0] ?? ''} for ${user.username}: ${lines.at(-1) ?? ''}`,
        );
      }
      return lines;
    };
    const credentials = Buffer.from(`\0${user.username}\0${user.password}`).toString('base64');
    await command('a', `AUTHENTICATE PLAIN ${credentials}`);
    const examined = await command('b', 'EXAMINE INBOX');
    const exists = examined.some((line) => /^\* [1-9]\d* EXISTS/.test(line));
    const subjects: string[] = [];
    if (exists) {
      const lines = await command('c', 'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
      // Each message: "* n FETCH (BODY[…] {size}", the header lines, "", ")".
      let header: string[] | undefined;
      for (const line of lines) {
        if (/^\* \d+ FETCH /.test(line)) header = [];
        else if (header !== undefined && (line === ')' || line === '')) {
          const subject = subjectOf(header);
          if (subject !== undefined) subjects.push(subject);
          header = undefined;
        } else header?.push(line);
      }
    }
    wire.send('z LOGOUT');
    return subjects;
  } finally {
    wire.close();
  }
}

/**
 * The Subject headers of the messages in a mailbox (unfolded, not RFC 2047-decoded), oldest first.
 * Read-only: Dovecot's maildir is read directly, Cyrus' INBOX with EXAMINE and BODY.PEEK.
 */
export async function mailboxSubjects(info: MailStackInfo, address: string): Promise<string[]> {
  const mailbox = findMailbox(info, address);
  if (mailbox.server === 'dovecot') {
    return maildirSubjects(dovecotMaildir(info.dir, mailbox.user.username));
  }
  const port = info.cyrus?.ports.imap;
  if (port === undefined) throw new Error('no Cyrus in this mail stack');
  return imapSubjects(port, mailbox.user);
}
