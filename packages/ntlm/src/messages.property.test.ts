// Property tests: whatever a (hostile) server sends, parsing fails only with an NtlmError, and
// fast: no exception of another kind, no out-of-bounds read, no unbounded loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NtlmError } from './errors.js';
import { NtlmFlags, createAuthenticateMessage, parseChallengeMessage } from './messages.js';
import { ntlmSaslClient } from './sasl.js';

function parsesOrThrowsNtlmError(bytes: Uint8Array): void {
  try {
    const challenge = parseChallengeMessage(bytes);
    // Whatever parsed must also be answerable.
    createAuthenticateMessage(challenge, { username: 'CORP\\alice', password: 'pw' });
  } catch (error) {
    expect(error).toBeInstanceOf(NtlmError);
  }
}

/** A challenge header with random fields, so that the generator reaches the deep checks. */
const plausibleChallenge = fc
  .record({
    flags: fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.constant((NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_TARGET_INFO) >>> 0),
    ),
    nameLength: fc.integer({ min: 0, max: 0xffff }),
    nameOffset: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 0xffffffff })),
    infoLength: fc.integer({ min: 0, max: 0xffff }),
    infoOffset: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 0xffffffff })),
    payload: fc.uint8Array({ maxLength: 96 }),
    avPairs: fc.array(
      fc.record({
        id: fc.integer({ min: 0, max: 12 }),
        length: fc.integer({ min: 0, max: 40 }),
        value: fc.uint8Array({ maxLength: 40 }),
      }),
      { maxLength: 6 },
    ),
    cut: fc.integer({ min: 0, max: 200 }),
  })
  .map(({ flags, nameLength, nameOffset, infoLength, infoOffset, payload, avPairs, cut }) => {
    const head = Buffer.alloc(56);
    head.write('NTLMSSP\0', 0, 'latin1');
    head.writeUInt32LE(2, 8);
    head.writeUInt16LE(nameLength, 12);
    head.writeUInt32LE(nameOffset, 16);
    head.writeUInt32LE(flags, 20);
    head.writeUInt16LE(infoLength, 40);
    head.writeUInt32LE(infoOffset, 44);
    const pairs = avPairs.map(({ id, length, value }) => {
      const pair = Buffer.alloc(4 + value.length);
      pair.writeUInt16LE(id, 0);
      pair.writeUInt16LE(length, 2);
      pair.set(value, 4);
      return pair;
    });
    const message = Buffer.concat([head, ...pairs, payload]);
    return message.subarray(0, Math.max(cut, 32));
  });

describe('parseChallengeMessage never throws anything but NtlmError', () => {
  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), parsesOrThrowsNtlmError), {
      numRuns: 2000,
    });
  });

  it('on arbitrary bytes behind a valid signature and type', () => {
    const prefix = Buffer.from('4e544c4d5353500002000000', 'hex');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (rest) => {
        parsesOrThrowsNtlmError(Buffer.concat([prefix, rest]));
      }),
      { numRuns: 2000 },
    );
  });

  it('on challenges with random fields and AV pairs', () => {
    fc.assert(fc.property(plausibleChallenge, parsesOrThrowsNtlmError), { numRuns: 3000 });
  });

  it('quickly, even on a 64 KiB target info of empty AV pairs without MsvAvEOL', () => {
    const head = Buffer.alloc(48);
    head.write('NTLMSSP\0', 0, 'latin1');
    head.writeUInt32LE(2, 8);
    head.writeUInt32LE(NtlmFlags.NEGOTIATE_TARGET_INFO, 20);
    head.writeUInt16LE(0xfffc, 40);
    head.writeUInt32LE(48, 44);
    const info = Buffer.alloc(0xfffc);
    for (let at = 0; at < info.length; at += 4) info.writeUInt16LE(1, at);
    const started = performance.now();
    expect(() => parseChallengeMessage(Buffer.concat([head, info]))).toThrow(NtlmError);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('ntlmSaslClient.respond never throws anything but NtlmError', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          ntlmSaslClient({ username: 'alice', password: 'pw' }).respond(text);
        } catch (error) {
          expect(error).toBeInstanceOf(NtlmError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('on base64 of arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          ntlmSaslClient({ username: 'alice', password: 'pw' }).respond(
            Buffer.from(bytes).toString('base64'),
          );
        } catch (error) {
          expect(error).toBeInstanceOf(NtlmError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
