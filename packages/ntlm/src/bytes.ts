// Small byte helpers. NTLM is little-endian throughout.
import { NtlmError } from './errors.js';

export function concatBytes(...parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

export function readUint16LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8);
}

export function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (readUint16LE(bytes, offset) | (readUint16LE(bytes, offset + 2) << 16)) >>> 0;
}

export function writeUint16LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
  writeUint16LE(bytes, offset, value & 0xffff);
  writeUint16LE(bytes, offset + 2, (value >>> 16) & 0xffff);
}

/** UTF-16LE, the encoding MS-NLMP calls UNICODE(). */
export function utf16le(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

/**
 * The OEM character set, used only when the server did not negotiate Unicode. Code pages differ
 * between machines, so only ASCII is sent; anything else is refused rather than guessed.
 */
export function oemBytes(text: string, what: string): Buffer {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      throw new NtlmError(
        'NTLM_UNENCODABLE',
        `The ${what} has non-ASCII characters, which cannot be sent without Unicode (the server did not negotiate it).`,
      );
    }
  }
  return Buffer.from(text, 'latin1');
}

/**
 * Upper-cases the way Windows does for NTOWFv2 (one UTF-16 unit to one unit): JavaScript's full
 * case mapping can change a string's length (e.g. "ß" becomes "SS"), Windows' never does.
 */
export function upperCaseLikeWindows(text: string): string {
  let out = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    out += upper.length === char.length ? upper : char;
  }
  return out;
}
