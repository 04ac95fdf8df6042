// Verification codes: a version 4 UUID per attempt (automatic) or per profile (manual), sent in
// the subject as `(<UUID>)`.

/** Fills a buffer of the given length with random bytes (crypto.getRandomValues in practice). */
export type RandomSource = (length: number) => Uint8Array;

/** Generates a lower-case RFC 4122 version 4 UUID from 16 bytes of the injected random source. */
export function generateVerificationCode(random: RandomSource): string {
  const bytes = random(16);
  if (bytes.length !== 16)
    throw new Error(`The random source returned ${bytes.length} bytes, expected 16`);
  const b = Array.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The exact subject of a verification email: the code in parentheses. */
export function verificationSubject(code: string): string {
  return `(${code})`;
}

const CODE_IN_PARENS = /\(\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*\)/gi;

/**
 * Every verification code written `(<UUID>)` in a subject, lower-cased, in order. Tolerates
 * prefixes (RE:, FW:, [EXTERNAL]), extra text, any case, spaces inside the parentheses, and
 * RFC 2047 encoded words, which some mail clients use for the whole subject.
 */
export function findVerificationCodes(subject: string): string[] {
  const decoded = decodeEncodedWords(subject);
  return Array.from(decoded.matchAll(CODE_IN_PARENS), (match) => (match[1] ?? '').toLowerCase());
}

/** Whether a subject carries the given code. */
export function subjectHasCode(subject: string, code: string): boolean {
  return findVerificationCodes(subject).includes(code.toLowerCase());
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;

/** Decodes RFC 2047 encoded words (`=?utf-8?B?...?=`), leaving undecodable ones as they are. */
export function decodeEncodedWords(text: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 section 6.2).
  const joined = text.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(
    ENCODED_WORD,
    (word, charset: string, encoding: string, payload: string) => {
      const bytes = encoding.toLowerCase() === 'b' ? decodeBase64(payload) : decodeQ(payload);
      if (bytes === undefined) return word;
      try {
        const label = charset.split('*')[0] ?? charset; // RFC 2231 language suffix
        return new TextDecoder(label).decode(bytes);
      } catch {
        return word;
      }
    },
  );
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeBase64(payload: string): Uint8Array | undefined {
  const clean = payload.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    buffer = (buffer << 6) | BASE64_ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function decodeQ(payload: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < payload.length; i += 1) {
    const char = payload[i] ?? '';
    if (char === '_') out.push(0x20);
    else if (char === '=') {
      const hex = payload.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/i.test(hex)) return undefined;
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(char.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}
