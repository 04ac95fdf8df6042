// The RFC 5322 message that users.messages.send takes (base64url in `raw`): plain text, the
// subject as RFC 2047 encoded words when it is not plain ASCII, the body in base64.
import { randomUUID } from 'node:crypto';
import type { OutgoingMessage } from '@email-profiles/core';
import { refuseUnsafeHeaders } from '@email-profiles/transport-net';

const CRLF = '\r\n';
// 75 characters per encoded word: "=?UTF-8?B?" + 60 base64 characters (45 bytes) + "?=".
const WORD_BYTES = 45;

/** Encodes text as RFC 2047 "B" encoded words, never splitting a character between words. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '' || words.length === 0) words.push(chunk);
  return words
    .map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`)
    .join(`${CRLF} `);
}

/** Plain printable ASCII that cannot be mistaken for an encoded word stays as it is. */
function headerText(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) && !text.includes('=?') && text.length <= 900
    ? text
    : encodeWords(text);
}

function mailbox(address: string, name: string | undefined): string {
  if (name === undefined || name.trim() === '') return address;
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/(["\\])/g, '\\$1')}"`
    : encodeWords(name);
  return `${display} <${address}>`;
}

/** RFC 5322 date, e.g. "Tue, 01 Jul 2025 09:30:00 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export type RawMessage = { raw: string; messageId: string };

/** The message as sent: From is the profile's own address (Gmail sends as the signed-in user). */
export function buildRawMessage(
  message: OutgoingMessage,
  from: string,
  now: Date = new Date(),
): RawMessage {
  refuseUnsafeHeaders({ ...message, from }, 'gmail');
  const domain = from.split('@').pop() ?? 'localhost';
  const messageId = `<${randomUUID()}@${domain}>`;
  const body = Buffer.from(message.text.replace(/\r?\n/g, CRLF), 'utf8').toString('base64');
  const text = [
    `From: ${mailbox(from, message.fromName)}`,
    `To: ${message.to}`,
    `Subject: ${headerText(message.subject)}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...(body.match(/.{1,76}/g) ?? []),
    '',
  ].join(CRLF);
  return { raw: Buffer.from(text, 'utf8').toString('base64url'), messageId };
}
