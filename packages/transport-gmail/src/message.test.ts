import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, verificationSubject } from '@email-profiles/core';
import { TransportError } from '@email-profiles/transport-net';
import { buildRawMessage, encodeWords, rfc5322Date } from './message.js';

const decode = (raw: string) => Buffer.from(raw, 'base64url').toString('utf8');
const base = { from: 'x@example.test', to: 'to@example.test', text: 'Body' };

describe('buildRawMessage', () => {
  it('writes an ASCII subject as it is and the profile as the sender', () => {
    const subject = verificationSubject('0f8fad5b-d9cb-469f-a165-70867728950e');
    const { raw, messageId } = buildRawMessage(
      { ...base, subject },
      'box@example.test',
      new Date(Date.UTC(2025, 6, 1, 9, 30)),
    );
    const text = decode(raw);
    expect(text).toContain('\r\nSubject: (0f8fad5b-d9cb-469f-a165-70867728950e)\r\n');
    expect(text.startsWith('From: box@example.test\r\nTo: to@example.test\r\n')).toBe(true);
    expect(text).toContain('\r\nDate: Tue, 01 Jul 2025 09:30:00 +0000\r\n');
    expect(text).toContain(`\r\nMessage-ID: ${messageId}\r\n`);
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('quotes a display name and encodes one that is not ASCII', () => {
    const quoted = decode(
      buildRawMessage({ ...base, subject: 's', fromName: 'Ops "Team"' }, 'a@b.test').raw,
    );
    expect(quoted).toContain('From: "Ops \\"Team\\"" <a@b.test>\r\n');
    const encoded = decode(
      buildRawMessage({ ...base, subject: 's', fromName: 'Équipe' }, 'a@b.test').raw,
    );
    expect(encoded).toContain(`From: ${encodeWords('Équipe')} <a@b.test>\r\n`);
  });

  it('encodes subjects that could be read as encoded words', () => {
    const text = decode(buildRawMessage({ ...base, subject: '=?x?q?y?=' }, 'a@b.test').raw);
    expect(text).toContain(`Subject: ${encodeWords('=?x?q?y?=')}\r\n`);
  });

  it.each(['subject', 'to', 'fromName'] as const)('refuses a line break in the %s', (field) => {
    expect(() =>
      buildRawMessage({ ...base, subject: 's', [field]: 'a\nBcc: b@c.test' }, 'a@b.test'),
    ).toThrow(TransportError);
  });

  it('wraps the base64 body at 76 characters', () => {
    const text = decode(
      buildRawMessage({ ...base, subject: 's', text: 'é'.repeat(200) }, 'a@b.test').raw,
    );
    const body = text.split('\r\n\r\n')[1] ?? '';
    expect(body.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString()).toBe('é'.repeat(200));
  });
});

describe('encodeWords', () => {
  it.each(['Überprüfung', '✓'.repeat(60), `${'a'.repeat(44)}€`, '👍🏽 emoji', ''])(
    'round-trips %j in words of at most 75 characters',
    (text) => {
      const encoded = encodeWords(text);
      for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
      expect(decodeEncodedWords(encoded.replace(/\r\n /g, ' '))).toBe(text);
    },
  );
});

describe('rfc5322Date', () => {
  it('uses a numeric zone', () => {
    expect(rfc5322Date(new Date(Date.UTC(2024, 1, 29, 23, 59, 59)))).toBe(
      'Thu, 29 Feb 2024 23:59:59 +0000',
    );
  });
});
