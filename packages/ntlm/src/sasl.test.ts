import { describe, expect, it } from 'vitest';
import { NtlmFlags, parseChallengeMessage } from './messages.js';
import { common, ntlmV1, ntlmV2 } from './ms-nlmp-vectors.js';
import { ntlmSaslClient } from './sasl.js';

/** Matches an NtlmError with this code (vitest's matcher is typed `any`). */
const errorCode = (code: string): Error =>
  expect.objectContaining({ name: 'NtlmError', code }) as Error;

describe('ntlmSaslClient', () => {
  const credentials = { username: 'CORP\\alice', password: 'secret', workstation: 'WS01' };

  it('initial response: base64 of a NEGOTIATE message', () => {
    const client = ntlmSaslClient(credentials);
    const type1 = Buffer.from(client.initialResponse(), 'base64');
    expect(type1.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(type1.readUInt32LE(8)).toBe(1);
    expect(client.initialResponse()).toBe(client.initialResponse());
  });

  it('answers a Cyrus-like NTLMv1 challenge with a type 3 for the given account', () => {
    const client = ntlmSaslClient(credentials);
    client.initialResponse();
    const type3 = Buffer.from(client.respond(ntlmV1.challengeMessage.toString('base64')), 'base64');
    expect(type3.readUInt32LE(8)).toBe(3);
    const text = (at: number) =>
      type3
        .subarray(type3.readUInt32LE(at + 4), type3.readUInt32LE(at + 4) + type3.readUInt16LE(at))
        .toString('utf16le');
    expect(text(28)).toBe('CORP');
    expect(text(36)).toBe('alice');
    expect(text(44)).toBe('WS01');
    expect(type3.readUInt16LE(20)).toBe(24);
  });

  it('answers an NTLMv2 challenge; options reach the computation', () => {
    const client = ntlmSaslClient(credentials, {
      clientChallenge: common.clientChallenge,
      timestamp: 0n,
    });
    const type3 = Buffer.from(
      client.respond(`  ${ntlmV2.challengeMessage.toString('base64')}\r\n`),
      'base64',
    );
    const ntOffset = type3.readUInt32LE(24);
    expect(type3.readUInt16LE(20)).toBeGreaterThan(24);
    expect(type3.subarray(ntOffset + 32, ntOffset + 40).toString('hex')).toBe('aaaaaaaaaaaaaaaa');
    expect(type3.readUInt32LE(60) & NtlmFlags.NEGOTIATE_UNICODE).not.toBe(0);
  });

  it('an empty challenge asks for the initial response (no SASL-IR)', () => {
    const client = ntlmSaslClient(credentials);
    expect(client.respond('')).toBe(client.initialResponse());
    expect(client.respond(' \r\n')).toBe(client.initialResponse());
  });

  it('any challenge after the authenticate message is a protocol error, even an empty one', () => {
    const client = ntlmSaslClient(credentials);
    client.respond(ntlmV1.challengeMessage.toString('base64'));
    expect(() => client.respond(ntlmV1.challengeMessage.toString('base64'))).toThrow(
      errorCode('NTLM_BAD_STATE'),
    );
    expect(() => client.respond('')).toThrow(errorCode('NTLM_BAD_STATE'));
  });

  it('a malformed challenge can be followed by a good one (nothing was sent)', () => {
    const client = ntlmSaslClient(credentials);
    expect(() => client.respond('=')).toThrow(errorCode('NTLM_CHALLENGE_BAD_BASE64'));
    expect(() => client.respond('AAAA')).toThrow(errorCode('NTLM_CHALLENGE_BAD_SIGNATURE'));
    expect(() => client.respond('TlRMTVNTUAA=')).toThrow(errorCode('NTLM_CHALLENGE_TRUNCATED'));
    expect(() => client.respond('not base64!')).toThrow(errorCode('NTLM_CHALLENGE_BAD_BASE64'));
    expect(() => client.respond('TlRMTVNTUA')).toThrow(errorCode('NTLM_CHALLENGE_BAD_BASE64'));
    expect(() => client.respond(Buffer.from('garbage').toString('base64'))).toThrow(
      errorCode('NTLM_CHALLENGE_BAD_SIGNATURE'),
    );
    expect(() => client.respond(ntlmV1.challengeMessage.toString('base64'))).not.toThrow();
  });

  it('checks the account name up front', () => {
    expect(() => ntlmSaslClient({ username: 'CORP\\', password: 'x' })).toThrow(
      errorCode('NTLM_BAD_USERNAME'),
    );
  });

  it('the spec challenge decodes to what the client parses', () => {
    expect(parseChallengeMessage(ntlmV2.challengeMessage).targetName).toBe('Server');
  });
});
