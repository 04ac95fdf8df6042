// The NTLM computations against the vectors of MS-NLMP section 4.2 (see ms-nlmp-vectors.ts for
// where they come from).
import { describe, expect, it } from 'vitest';
import {
  desl,
  fileTimeNow,
  lmowfv1,
  md4Digest,
  ntlmV1Response,
  ntlmV2Response,
  ntowfv1,
  ntowfv2,
} from './crypto.js';
import { NtlmError } from './errors.js';
import { common, ntlmV1, ntlmV2 } from './ms-nlmp-vectors.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('primitives (Node 20 / OpenSSL 3 has neither MD4 nor DES-ECB in its default provider)', () => {
  it('MD4 matches RFC 1320 test suite values', () => {
    // RFC 1320 appendix A.5.
    expect(hex(md4Digest(Buffer.from('')))).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(hex(md4Digest(Buffer.from('abc')))).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(hex(md4Digest(Buffer.from('message digest')))).toBe('d9130a8164549fe818874806e1c7014b');
  });

  it('DESL checks its key and data lengths', () => {
    expect(() => desl(new Uint8Array(15), new Uint8Array(8))).toThrow(NtlmError);
    expect(() => desl(new Uint8Array(16), new Uint8Array(7))).toThrow(/8 bytes/);
  });
});

describe('MS-NLMP 4.2.2: NTLM v1 authentication', () => {
  it('NTOWFv1 (the NT hash of "Password")', () => {
    expect(hex(ntowfv1(common.passwd))).toBe(hex(ntlmV1.ntowfv1));
  });

  it('LMOWFv1 (the LM hash of "Password")', () => {
    expect(hex(lmowfv1(common.passwd))).toBe(hex(ntlmV1.lmowfv1));
  });

  it('NTLMv1 response, LMv1 response and session base key', () => {
    const result = ntlmV1Response({
      responseKeyNT: ntowfv1(common.passwd),
      responseKeyLM: lmowfv1(common.passwd),
      serverChallenge: common.serverChallenge,
    });
    expect(hex(result.ntChallengeResponse)).toBe(hex(ntlmV1.ntlmV1Response));
    expect(hex(result.lmChallengeResponse)).toBe(hex(ntlmV1.lmV1Response));
    expect(hex(result.sessionBaseKey)).toBe(hex(ntlmV1.sessionBaseKey));
  });

  it('without an LM key the LM response is a copy of the NT response (NoLMResponseNTLMv1)', () => {
    const result = ntlmV1Response({
      responseKeyNT: ntowfv1(common.passwd),
      serverChallenge: common.serverChallenge,
    });
    expect(hex(result.lmChallengeResponse)).toBe(hex(ntlmV1.ntlmV1Response));
  });

  it('LMOWFv1 refuses non-ASCII passwords and cuts at 14 characters', () => {
    expect(() => lmowfv1('pässword')).toThrow(
      expect.objectContaining({ code: 'NTLM_UNENCODABLE' }),
    );
    expect(hex(lmowfv1('abcdefghijklmnXYZ'))).toBe(hex(lmowfv1('ABCDEFGHIJKLMN')));
  });

  it('rejects a server challenge that is not 8 bytes', () => {
    expect(() =>
      ntlmV1Response({ responseKeyNT: ntowfv1('x'), serverChallenge: new Uint8Array(9) }),
    ).toThrow(expect.objectContaining({ code: 'NTLM_BAD_ARGUMENT' }));
  });
});

describe('MS-NLMP 4.2.4: NTLMv2 authentication', () => {
  const compute = () =>
    ntlmV2Response({
      responseKeyNT: ntowfv2(common.passwd, common.user, common.userDom),
      serverChallenge: common.serverChallenge,
      clientChallenge: common.clientChallenge,
      timestamp: common.time,
      targetInfo: ntlmV2.targetInfo,
    });

  it('NTOWFv2 = ResponseKeyNT', () => {
    expect(hex(ntowfv2(common.passwd, common.user, common.userDom))).toBe(
      hex(ntlmV2.responseKeyNT),
    );
  });

  it('NTOWFv2 upper-cases the user but not the domain', () => {
    expect(hex(ntowfv2(common.passwd, 'uSeR', common.userDom))).toBe(hex(ntlmV2.responseKeyNT));
    expect(hex(ntowfv2(common.passwd, common.user, 'DOMAIN'))).not.toBe(hex(ntlmV2.responseKeyNT));
  });

  it('LMv2 response', () => {
    expect(hex(compute().lmChallengeResponse)).toBe(hex(ntlmV2.lmV2Response));
  });

  it('NTProofStr and session base key', () => {
    const result = compute();
    expect(hex(result.ntProofStr)).toBe(hex(ntlmV2.ntProofStr));
    expect(hex(result.sessionBaseKey)).toBe(hex(ntlmV2.sessionBaseKey));
  });

  it('NTLMv2 response = NTProofStr ‖ temp, as in the spec’s AUTHENTICATE_MESSAGE (84 bytes)', () => {
    const nt = compute().ntChallengeResponse;
    // In 4.2.4's AUTHENTICATE_MESSAGE the NT response is the 0x54 bytes at offset 0x84.
    expect(hex(nt)).toBe(hex(ntlmV2.authenticateMessage.subarray(0x84, 0x84 + 0x54)));
  });

  it('checks its inputs', () => {
    const base = {
      responseKeyNT: ntlmV2.responseKeyNT,
      serverChallenge: common.serverChallenge,
      clientChallenge: common.clientChallenge,
      timestamp: 0n,
      targetInfo: ntlmV2.targetInfo,
    };
    const code = expect.objectContaining({ code: 'NTLM_BAD_ARGUMENT' });
    expect(() => ntlmV2Response({ ...base, clientChallenge: new Uint8Array(7) })).toThrow(code);
    expect(() => ntlmV2Response({ ...base, responseKeyNT: new Uint8Array(8) })).toThrow(code);
    expect(() => ntlmV2Response({ ...base, serverChallenge: new Uint8Array(0) })).toThrow(code);
    expect(() => ntlmV2Response({ ...base, timestamp: -1n })).toThrow(code);
    expect(() => ntlmV2Response({ ...base, timestamp: 1n << 64n })).toThrow(code);
    expect(() => ntlmV2Response({ ...base, timestamp: (1n << 64n) - 1n })).not.toThrow();
  });
});

describe('fileTimeNow', () => {
  it('counts 100 ns intervals since 1601', () => {
    expect(fileTimeNow(0)).toBe(116_444_736_000_000_000n);
    // 2024-01-01T00:00:00Z
    expect(fileTimeNow(Date.UTC(2024, 0, 1))).toBe(133_485_408_000_000_000n);
    expect(fileTimeNow()).toBeGreaterThan(133_485_408_000_000_000n);
  });
});
