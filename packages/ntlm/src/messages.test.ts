import { describe, expect, it } from 'vitest';
import { lmowfv1, ntlmV1Response, ntlmV2Response, ntowfv1, ntowfv2 } from './crypto.js';
import {
  DEFAULT_NEGOTIATE_FLAGS,
  NtlmAvId,
  NtlmFlags,
  createAuthenticateMessage,
  createNegotiateMessage,
  encodeAuthenticateMessage,
  parseChallengeMessage,
  type NtlmChallenge,
} from './messages.js';
import { authenticateVersion, common, ntlmV1, ntlmV2 } from './ms-nlmp-vectors.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const u16 = (bytes: Uint8Array, at: number) => Buffer.from(bytes).readUInt16LE(at);
const u32 = (bytes: Uint8Array, at: number) => Buffer.from(bytes).readUInt32LE(at);

/** A (Len, MaxLen, Offset) field of a message, decoded. */
function field(message: Uint8Array, at: number): Buffer {
  const offset = u32(message, at + 4);
  return Buffer.from(message).subarray(offset, offset + u16(message, at));
}

/** The fields of an AUTHENTICATE_MESSAGE, the way a server reads them. */
function decodeAuthenticate(message: Uint8Array) {
  const flags = u32(message, 60);
  const text = (bytes: Buffer) =>
    bytes.toString((flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0 ? 'utf16le' : 'latin1');
  return {
    signature: Buffer.from(message).subarray(0, 8).toString('latin1'),
    type: u32(message, 8),
    flags,
    lm: field(message, 12),
    nt: field(message, 20),
    domain: text(field(message, 28)),
    user: text(field(message, 36)),
    workstation: text(field(message, 44)),
    sessionKey: field(message, 52),
  };
}

/** Builds a CHALLENGE_MESSAGE for the hostile-input tests. */
function challengeBytes(
  options: {
    flags?: number;
    targetName?: Uint8Array;
    targetInfo?: Uint8Array;
    /** Overrides of header bytes: [offset, uint32 value]. */
    patch32?: [number, number][];
    patch16?: [number, number][];
  } = {},
): Buffer {
  const targetName = Buffer.from(options.targetName ?? Buffer.from('SERVER', 'utf16le'));
  const targetInfo = Buffer.from(options.targetInfo ?? new Uint8Array(0));
  const headerLength = 56;
  const head = Buffer.alloc(headerLength);
  head.write('NTLMSSP\0', 0, 'latin1');
  head.writeUInt32LE(2, 8);
  head.writeUInt16LE(targetName.length, 12);
  head.writeUInt16LE(targetName.length, 14);
  head.writeUInt32LE(headerLength, 16);
  let flags = options.flags ?? (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_NTLM) >>> 0;
  if (targetInfo.length > 0) flags = (flags | NtlmFlags.NEGOTIATE_TARGET_INFO) >>> 0;
  head.writeUInt32LE(flags, 20);
  common.serverChallenge.copy(head, 24);
  head.writeUInt16LE(targetInfo.length, 40);
  head.writeUInt16LE(targetInfo.length, 42);
  head.writeUInt32LE(headerLength + targetName.length, 44);
  for (const [at, value] of options.patch32 ?? []) head.writeUInt32LE(value, at);
  for (const [at, value] of options.patch16 ?? []) head.writeUInt16LE(value, at);
  return Buffer.concat([head, targetName, targetInfo]);
}

function avPair(id: number, value: Uint8Array | string, declaredLength?: number): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf16le') : Buffer.from(value);
  const head = Buffer.alloc(4);
  head.writeUInt16LE(id, 0);
  head.writeUInt16LE(declaredLength ?? bytes.length, 2);
  return Buffer.concat([head, bytes]);
}
const EOL = avPair(NtlmAvId.MsvAvEOL, new Uint8Array(0));

/** Matches an NtlmError with this code (vitest's matcher is typed `any`). */
const errorCode = (code: string): Error =>
  expect.objectContaining({ name: 'NtlmError', code }) as Error;

describe('parseChallengeMessage: the CHALLENGE_MESSAGEs of MS-NLMP 4.2.2 and 4.2.4', () => {
  it('4.2.2 (NTLMv1): no target info', () => {
    const challenge = parseChallengeMessage(ntlmV1.challengeMessage);
    expect(challenge.flags).toBe(ntlmV1.challengeFlags);
    expect(hex(challenge.serverChallenge)).toBe(hex(common.serverChallenge));
    expect(challenge.targetName).toBe(common.serverName);
    expect(challenge.targetInfo).toBeUndefined();
    expect(challenge.avPairs).toEqual([]);
    expect(challenge.version).toEqual({ major: 6, minor: 0, build: 6000, revision: 15 });
  });

  it('4.2.4 (NTLMv2): target info with the domain and server names', () => {
    const challenge = parseChallengeMessage(ntlmV2.challengeMessage);
    expect(challenge.flags).toBe(ntlmV2.challengeFlags);
    expect(hex(challenge.serverChallenge)).toBe(hex(common.serverChallenge));
    expect(challenge.targetName).toBe(common.serverName);
    expect(hex(challenge.targetInfo ?? new Uint8Array(0))).toBe(hex(ntlmV2.targetInfo));
    expect(challenge.avPairs.map((pair) => pair.id)).toEqual([
      NtlmAvId.MsvAvNbDomainName,
      NtlmAvId.MsvAvNbComputerName,
    ]);
    expect(challenge.serverNames).toEqual({ nbDomainName: 'Domain', nbComputerName: 'Server' });
    expect(challenge.timestamp).toBeUndefined();
    expect(challenge.version).toEqual({ major: 6, minor: 0, build: 6000, revision: 15 });
  });

  it('does not keep references into the input', () => {
    const input = Buffer.from(ntlmV2.challengeMessage);
    const challenge = parseChallengeMessage(input);
    input.fill(0);
    expect(hex(challenge.serverChallenge)).toBe(hex(common.serverChallenge));
    expect(hex(challenge.targetInfo ?? new Uint8Array(0))).toBe(hex(ntlmV2.targetInfo));
  });
});

describe('parseChallengeMessage: other well-formed challenges', () => {
  it('a Cyrus-style challenge: OEM target name, zeroed target info fields', () => {
    const challenge = parseChallengeMessage(
      challengeBytes({
        flags:
          (NtlmFlags.NEGOTIATE_OEM | NtlmFlags.NEGOTIATE_NTLM | NtlmFlags.TARGET_TYPE_SERVER) >>> 0,
        targetName: Buffer.from('LOCALHOST', 'latin1'),
      }),
    );
    expect(challenge.targetName).toBe('LOCALHOST');
    expect(challenge.targetInfo).toBeUndefined();
    expect(challenge.version).toBeUndefined();
  });

  it('the short 32-byte form without target name', () => {
    const challenge = parseChallengeMessage(
      challengeBytes({ targetName: new Uint8Array(0) }).subarray(0, 32),
    );
    expect(challenge.targetName).toBe('');
    expect(hex(challenge.serverChallenge)).toBe(hex(common.serverChallenge));
  });

  it('target info: every name, a timestamp, unknown pairs, bytes after MsvAvEOL ignored', () => {
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64LE(133_485_408_000_000_000n);
    const info = Buffer.concat([
      avPair(NtlmAvId.MsvAvNbComputerName, 'EXCH01'),
      avPair(NtlmAvId.MsvAvNbDomainName, 'CORP'),
      avPair(NtlmAvId.MsvAvDnsComputerName, 'exch01.corp.example'),
      avPair(NtlmAvId.MsvAvDnsDomainName, 'corp.example'),
      avPair(NtlmAvId.MsvAvDnsTreeName, 'example'),
      avPair(NtlmAvId.MsvAvNbDomainName, 'SECOND'),
      avPair(NtlmAvId.MsvAvTimestamp, timestamp),
      avPair(0x7777, new Uint8Array([1, 2, 3])),
      EOL,
    ]);
    const challenge = parseChallengeMessage(
      challengeBytes({ targetInfo: Buffer.concat([info, Buffer.from([9, 9, 9, 9])]) }),
    );
    expect(challenge.serverNames).toEqual({
      nbComputerName: 'EXCH01',
      nbDomainName: 'CORP',
      dnsComputerName: 'exch01.corp.example',
      dnsDomainName: 'corp.example',
      dnsTreeName: 'example',
    });
    expect(challenge.timestamp).toBe(133_485_408_000_000_000n);
    expect(challenge.avPairs).toHaveLength(8);
    expect(hex(challenge.targetInfo ?? new Uint8Array(0))).toBe(hex(info));
  });

  it('target info flag with an empty target info counts as none', () => {
    const challenge = parseChallengeMessage(
      challengeBytes({
        flags: (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_TARGET_INFO) >>> 0,
      }),
    );
    expect(challenge.targetInfo).toBeUndefined();
  });

  it('target info fields are ignored when the flag is not set', () => {
    const bytes = challengeBytes({ targetInfo: EOL });
    bytes.writeUInt32LE(NtlmFlags.NEGOTIATE_UNICODE, 20);
    bytes.writeUInt32LE(0xffffffff, 44); // would be out of bounds
    expect(parseChallengeMessage(bytes).targetInfo).toBeUndefined();
  });

  it('no Version when it would overlap the payload', () => {
    const bytes = challengeBytes({
      flags: (NtlmFlags.NEGOTIATE_UNICODE | NtlmFlags.NEGOTIATE_VERSION) >>> 0,
      patch32: [[16, 48]],
    });
    expect(parseChallengeMessage(bytes).version).toBeUndefined();
  });
});

describe('parseChallengeMessage: hostile input', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty', new Uint8Array(0), 'NTLM_CHALLENGE_TRUNCATED'],
    ['only the signature', Buffer.from('NTLMSSP\0', 'latin1'), 'NTLM_CHALLENGE_TRUNCATED'],
    ['a prefix of the signature', Buffer.from('NTLM', 'latin1'), 'NTLM_CHALLENGE_TRUNCATED'],
    [
      'wrong signature',
      Buffer.from('HTTP/1.1 401 Unauthorized', 'latin1'),
      'NTLM_CHALLENGE_BAD_SIGNATURE',
    ],
    ['short and wrong', Buffer.from('+ ', 'latin1'), 'NTLM_CHALLENGE_BAD_SIGNATURE'],
    [
      'lower-case signature',
      Buffer.from(ntlmV2.challengeMessage).fill(0x6e, 0, 1),
      'NTLM_CHALLENGE_BAD_SIGNATURE',
    ],
    ['type 1 message', createNegotiateMessage(), 'NTLM_CHALLENGE_BAD_MESSAGE_TYPE'],
    ['type 3 message', ntlmV2.authenticateMessage, 'NTLM_CHALLENGE_BAD_MESSAGE_TYPE'],
    [
      'type 0x02000000',
      challengeBytes({ patch32: [[8, 0x02000000]] }),
      'NTLM_CHALLENGE_BAD_MESSAGE_TYPE',
    ],
    ['fixed fields cut short', ntlmV2.challengeMessage.subarray(0, 31), 'NTLM_CHALLENGE_TRUNCATED'],
    [
      'target info flag but no target info fields',
      challengeBytes({ targetName: new Uint8Array(0), targetInfo: EOL }).subarray(0, 40),
      'NTLM_CHALLENGE_TRUNCATED',
    ],
    [
      'target name cut short',
      ntlmV1.challengeMessage.subarray(0, 0x40),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'target info cut short',
      ntlmV2.challengeMessage.subarray(0, 0x67),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'target name offset past the end',
      challengeBytes({ patch32: [[16, 0x1000]] }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'target name offset 0xffffffff',
      challengeBytes({ patch32: [[16, 0xffffffff]] }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'huge target name length',
      challengeBytes({ patch16: [[12, 0xffff]] }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'target info offset past the end',
      challengeBytes({ targetInfo: EOL, patch32: [[44, 0x7fffffff]] }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'huge target info length',
      challengeBytes({ targetInfo: EOL, patch16: [[40, 0xffff]] }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'odd-length Unicode target name',
      challengeBytes({ targetName: Buffer.from('ABC', 'latin1') }),
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
    ],
    [
      'target info without MsvAvEOL',
      challengeBytes({ targetInfo: avPair(NtlmAvId.MsvAvNbDomainName, 'CORP') }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'target info of 2 bytes',
      challengeBytes({ targetInfo: new Uint8Array([0, 0]) }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'AV pair length past the end of target info',
      challengeBytes({
        targetInfo: Buffer.concat([avPair(NtlmAvId.MsvAvNbDomainName, 'CORP', 200), EOL]),
      }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'AV pair length 0xffff',
      challengeBytes({
        targetInfo: Buffer.concat([avPair(0x1234, new Uint8Array(0), 0xffff), EOL]),
      }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'MsvAvEOL with a value',
      challengeBytes({ targetInfo: avPair(NtlmAvId.MsvAvEOL, new Uint8Array([1, 2])) }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'MsvAvTimestamp of 4 bytes',
      challengeBytes({
        targetInfo: Buffer.concat([avPair(NtlmAvId.MsvAvTimestamp, new Uint8Array(4)), EOL]),
      }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
    [
      'odd-length name in target info',
      challengeBytes({
        targetInfo: Buffer.concat([avPair(NtlmAvId.MsvAvDnsDomainName, new Uint8Array(3)), EOL]),
      }),
      'NTLM_CHALLENGE_BAD_TARGET_INFO',
    ],
  ];

  it.each(cases)('%s', (_name, bytes, code) => {
    expect(() => parseChallengeMessage(bytes)).toThrow(errorCode(code));
  });

  it('a zero-length field may have any offset', () => {
    expect(() =>
      parseChallengeMessage(
        challengeBytes({ targetName: new Uint8Array(0), patch32: [[16, 0xffffffff]] }),
      ),
    ).not.toThrow();
  });

  it('a field may end exactly at the end of the message', () => {
    expect(parseChallengeMessage(ntlmV1.challengeMessage).targetName).toBe('Server');
  });
});

describe('createNegotiateMessage', () => {
  it('signature, type 1 and the default flags (no extended session security)', () => {
    const message = createNegotiateMessage();
    expect(message).toHaveLength(32);
    expect(message.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(u32(message, 8)).toBe(1);
    const flags = u32(message, 12);
    expect(flags).toBe(DEFAULT_NEGOTIATE_FLAGS);
    for (const flag of [
      NtlmFlags.NEGOTIATE_UNICODE,
      NtlmFlags.NEGOTIATE_OEM,
      NtlmFlags.REQUEST_TARGET,
      NtlmFlags.NEGOTIATE_NTLM,
    ]) {
      expect(flags & flag).toBe(flag);
    }
    for (const flag of [
      NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY,
      NtlmFlags.NEGOTIATE_LM_KEY,
      NtlmFlags.NEGOTIATE_KEY_EXCH,
      NtlmFlags.NEGOTIATE_SIGN,
      NtlmFlags.NEGOTIATE_SEAL,
      NtlmFlags.NEGOTIATE_OEM_DOMAIN_SUPPLIED,
      NtlmFlags.NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
    ]) {
      expect(flags & flag).toBe(0);
    }
    expect(u16(message, 16)).toBe(0);
    expect(u16(message, 24)).toBe(0);
  });

  it('with a domain and workstation: OEM strings and their flags', () => {
    const message = createNegotiateMessage({ domain: 'CORP', workstation: 'WS01' });
    const flags = u32(message, 12);
    expect(flags & NtlmFlags.NEGOTIATE_OEM_DOMAIN_SUPPLIED).not.toBe(0);
    expect(flags & NtlmFlags.NEGOTIATE_OEM_WORKSTATION_SUPPLIED).not.toBe(0);
    expect(field(message, 16).toString('latin1')).toBe('CORP');
    expect(field(message, 24).toString('latin1')).toBe('WS01');
  });

  it('custom flags, including the high bit', () => {
    const flags = (NtlmFlags.NEGOTIATE_56 | NtlmFlags.NEGOTIATE_UNICODE) >>> 0;
    expect(u32(createNegotiateMessage({ flags }), 12)).toBe(flags);
  });

  it('refuses a non-ASCII workstation (OEM)', () => {
    expect(() => createNegotiateMessage({ workstation: 'Büro' })).toThrow(
      errorCode('NTLM_UNENCODABLE'),
    );
  });
});

describe('encodeAuthenticateMessage reproduces the AUTHENTICATE_MESSAGEs of MS-NLMP', () => {
  // The spec's messages use key exchange (an EncryptedRandomSessionKey), which this package does
  // not compute; that one field is taken from the spec, everything else is computed here.
  it('4.2.2.3 (NTLMv1) byte for byte', () => {
    const v1 = ntlmV1Response({
      responseKeyNT: ntowfv1(common.passwd),
      responseKeyLM: lmowfv1(common.passwd),
      serverChallenge: parseChallengeMessage(ntlmV1.challengeMessage).serverChallenge,
    });
    const message = encodeAuthenticateMessage({
      flags: ntlmV1.authenticateFlags,
      ...v1,
      domain: common.userDom,
      user: common.user,
      workstation: common.workstationName,
      encryptedRandomSessionKey: ntlmV1.encryptedSessionKey,
      version: authenticateVersion,
    });
    expect(hex(message)).toBe(hex(ntlmV1.authenticateMessage));
  });

  it('4.2.4.3 (NTLMv2) byte for byte', () => {
    const challenge = parseChallengeMessage(ntlmV2.challengeMessage);
    const v2 = ntlmV2Response({
      responseKeyNT: ntowfv2(common.passwd, common.user, common.userDom),
      serverChallenge: challenge.serverChallenge,
      clientChallenge: common.clientChallenge,
      timestamp: common.time,
      targetInfo: challenge.targetInfo ?? new Uint8Array(0),
    });
    const message = encodeAuthenticateMessage({
      flags: ntlmV2.authenticateFlags,
      lmChallengeResponse: v2.lmChallengeResponse,
      ntChallengeResponse: v2.ntChallengeResponse,
      domain: common.userDom,
      user: common.user,
      workstation: common.workstationName,
      encryptedRandomSessionKey: ntlmV2.encryptedSessionKey,
      version: authenticateVersion,
    });
    expect(hex(message)).toBe(hex(ntlmV2.authenticateMessage));
  });

  it('checks the Version length and field sizes', () => {
    const base = {
      flags: NtlmFlags.NEGOTIATE_UNICODE,
      lmChallengeResponse: new Uint8Array(24),
      ntChallengeResponse: new Uint8Array(24),
      domain: '',
      user: 'u',
      workstation: '',
    };
    expect(() => encodeAuthenticateMessage({ ...base, version: new Uint8Array(4) })).toThrow(
      errorCode('NTLM_BAD_ARGUMENT'),
    );
    expect(() => encodeAuthenticateMessage({ ...base, user: 'x'.repeat(40_000) })).toThrow(
      errorCode('NTLM_UNENCODABLE'),
    );
    expect(() =>
      encodeAuthenticateMessage({ ...base, ntChallengeResponse: new Uint8Array(0x10000) }),
    ).toThrow(errorCode('NTLM_UNENCODABLE'));
  });
});

describe('createAuthenticateMessage', () => {
  const v2Challenge = parseChallengeMessage(ntlmV2.challengeMessage);
  const v1Challenge = parseChallengeMessage(ntlmV1.challengeMessage);
  const credentials = {
    username: 'Domain\\User',
    password: common.passwd,
    workstation: 'COMPUTER',
  };

  it('NTLMv2 when the challenge has target info, with the injected client challenge and time', () => {
    const message = createAuthenticateMessage(v2Challenge, credentials, {
      clientChallenge: common.clientChallenge,
      timestamp: common.time,
    });
    const decoded = decodeAuthenticate(message);
    expect(decoded.signature).toBe('NTLMSSP\0');
    expect(decoded.type).toBe(3);
    expect(decoded.domain).toBe('DOMAIN');
    expect(decoded.user).toBe('User');
    expect(decoded.workstation).toBe('COMPUTER');
    expect(decoded.sessionKey).toHaveLength(0);
    expect(decoded.flags & NtlmFlags.NEGOTIATE_UNICODE).not.toBe(0);
    expect(decoded.flags & NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY).toBe(0);
    expect(decoded.flags & NtlmFlags.NEGOTIATE_KEY_EXCH).toBe(0);
    // The domain as sent ("DOMAIN") is the one hashed.
    const expected = ntlmV2Response({
      responseKeyNT: ntowfv2(common.passwd, 'User', 'DOMAIN'),
      serverChallenge: common.serverChallenge,
      clientChallenge: common.clientChallenge,
      timestamp: common.time,
      targetInfo: ntlmV2.targetInfo,
    });
    expect(hex(decoded.nt)).toBe(hex(expected.ntChallengeResponse));
    expect(hex(decoded.lm)).toBe(hex(expected.lmChallengeResponse));
  });

  it('a bare user name sends and hashes an empty domain, and no workstation by default', () => {
    const decoded = decodeAuthenticate(
      createAuthenticateMessage(
        v2Challenge,
        { username: 'User', password: common.passwd },
        { clientChallenge: common.clientChallenge, timestamp: common.time },
      ),
    );
    const expected = ntlmV2Response({
      responseKeyNT: ntowfv2(common.passwd, 'User', ''),
      serverChallenge: common.serverChallenge,
      clientChallenge: common.clientChallenge,
      timestamp: common.time,
      targetInfo: ntlmV2.targetInfo,
    });
    expect(hex(decoded.nt)).toBe(hex(expected.ntChallengeResponse));
    expect(decoded.domain).toBe('');
    expect(decoded.workstation).toBe('');
  });

  it('NTLMv2 uses the server’s MsvAvTimestamp and then sends no LMv2 (Z(24))', () => {
    const timestamp = Buffer.alloc(8);
    timestamp.writeBigUInt64LE(133_485_408_000_000_000n);
    const info = Buffer.concat([avPair(NtlmAvId.MsvAvTimestamp, timestamp), EOL]);
    const challenge = parseChallengeMessage(challengeBytes({ targetInfo: info }));
    const decoded = decodeAuthenticate(
      createAuthenticateMessage(challenge, credentials, {
        clientChallenge: common.clientChallenge,
      }),
    );
    expect(hex(decoded.lm)).toBe('00'.repeat(24));
    expect(decoded.nt.readBigUInt64LE(16 + 8)).toBe(133_485_408_000_000_000n);
  });

  it('NTLMv2 defaults: a random client challenge and the current time', () => {
    const first = decodeAuthenticate(createAuthenticateMessage(v2Challenge, credentials));
    const second = decodeAuthenticate(createAuthenticateMessage(v2Challenge, credentials));
    expect(hex(first.nt.subarray(32, 40))).not.toBe(hex(second.nt.subarray(32, 40)));
    const time = first.nt.readBigUInt64LE(24);
    expect(time).toBeGreaterThan(133_485_408_000_000_000n);
  });

  it('NTLMv1 without target info (Cyrus): DESL of the NT hash, LM a copy of NT', () => {
    const decoded = decodeAuthenticate(createAuthenticateMessage(v1Challenge, credentials));
    expect(hex(decoded.nt)).toBe(hex(ntlmV1.ntlmV1Response));
    expect(hex(decoded.lm)).toBe(hex(ntlmV1.ntlmV1Response));
    expect(decoded.user).toBe('User');
    expect(decoded.domain).toBe('DOMAIN');
    expect(decoded.flags & NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY).toBe(0);
  });

  it('NTLMv1 even when the server offers extended session security', () => {
    const challenge: NtlmChallenge = {
      ...v1Challenge,
      flags: (v1Challenge.flags | NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY) >>> 0,
    };
    const decoded = decodeAuthenticate(createAuthenticateMessage(challenge, credentials));
    expect(hex(decoded.nt)).toBe(hex(ntlmV1.ntlmV1Response));
    expect(decoded.flags & NtlmFlags.NEGOTIATE_EXTENDED_SESSIONSECURITY).toBe(0);
  });

  it('forceNtlmV2 answers NTLMv2 without target info (an AV list of just MsvAvEOL)', () => {
    const decoded = decodeAuthenticate(
      createAuthenticateMessage(v1Challenge, credentials, {
        forceNtlmV2: true,
        clientChallenge: common.clientChallenge,
        timestamp: 0n,
      }),
    );
    expect(decoded.nt).toHaveLength(16 + 28 + 4 + 4);
    expect(hex(decoded.lm.subarray(16))).toBe(hex(common.clientChallenge));
  });

  it('OEM strings when the server did not negotiate Unicode', () => {
    const challenge: NtlmChallenge = {
      ...v1Challenge,
      flags: (NtlmFlags.NEGOTIATE_OEM | NtlmFlags.NEGOTIATE_NTLM) >>> 0,
    };
    const message = createAuthenticateMessage(challenge, {
      username: 'corp\\alice',
      password: 'pw',
      workstation: 'WS',
    });
    const decoded = decodeAuthenticate(message);
    expect(decoded.flags & NtlmFlags.NEGOTIATE_UNICODE).toBe(0);
    expect(decoded.flags & NtlmFlags.NEGOTIATE_OEM).not.toBe(0);
    expect(decoded.domain).toBe('CORP');
    expect(decoded.user).toBe('alice');
    expect(decoded.workstation).toBe('WS');
    expect(() =>
      createAuthenticateMessage(challenge, { username: 'jörg', password: 'pw' }),
    ).toThrow(errorCode('NTLM_UNENCODABLE'));
  });

  it('Unicode user names and UPNs go in UTF-16LE', () => {
    const decoded = decodeAuthenticate(
      createAuthenticateMessage(v1Challenge, {
        username: 'jörg@corp.example',
        password: 'pässwörd',
      }),
    );
    expect(decoded.user).toBe('jörg@corp.example');
    expect(decoded.domain).toBe('');
    expect(hex(decoded.nt)).toBe(
      hex(
        ntlmV1Response({
          responseKeyNT: ntowfv1('pässwörd'),
          serverChallenge: common.serverChallenge,
        }).ntChallengeResponse,
      ),
    );
  });

  it('rejects a bad client challenge and a bad account name', () => {
    expect(() =>
      createAuthenticateMessage(v2Challenge, credentials, { clientChallenge: new Uint8Array(4) }),
    ).toThrow(errorCode('NTLM_BAD_ARGUMENT'));
    expect(() => createAuthenticateMessage(v2Challenge, { username: ' ', password: 'x' })).toThrow(
      errorCode('NTLM_BAD_USERNAME'),
    );
  });
});
