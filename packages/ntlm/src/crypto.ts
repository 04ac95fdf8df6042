// Other packages compile this source with their own tsconfig: the types of the two untyped
// primitives must come along with it, hence a path reference rather than a tsconfig include.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./vendor.d.ts" />

// The NTLM computations of MS-NLMP section 3.3 (NTLM v1 and NTLM v2 authentication).
//
// Node 20 runs OpenSSL 3, where MD4 and single DES live in the "legacy" provider that Node does not
// load: crypto.createHash('md4') and createCipheriv('des-ecb', …) both throw
// "error:0308010C:digital envelope routines::unsupported". So MD4 comes from js-md4 and DES from
// des.js (pure JavaScript, the same two libraries httpntlm and @node-ntlm/core use). HMAC-MD5 and
// MD5 are still in OpenSSL's default provider and come from node:crypto.
import { createHmac } from 'node:crypto';
import desjs from 'des.js';
import md4 from 'js-md4';
import { concatBytes, oemBytes, upperCaseLikeWindows, utf16le } from './bytes.js';
import { NtlmError } from './errors.js';

/** MD4 of raw bytes. (Not md4(…) itself: js-md4 hands that call to Node's OpenSSL MD4.) */
export function md4Digest(data: Uint8Array): Buffer {
  return Buffer.from(md4.arrayBuffer(data));
}

function hmacMd5(key: Uint8Array, ...data: readonly Uint8Array[]): Buffer {
  const hmac = createHmac('md5', key);
  for (const part of data) hmac.update(part);
  return hmac.digest();
}

function expectLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new NtlmError('NTLM_BAD_ARGUMENT', `The ${what} must be ${length} bytes long.`);
  }
}

/**
 * Spreads 7 key bytes (56 bits) over the 8 bytes DES takes, 7 bits in the high bits of each, and
 * sets each byte's low bit for odd parity.
 */
function desKey(key7: Uint8Array): number[] {
  const key: number[] = [];
  for (let i = 0; i < 8; i++) {
    let byte = 0;
    for (let j = 0; j < 7; j++) {
      const bit = 7 * i + j;
      byte = (byte << 1) | (((key7[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1);
    }
    let ones = 0;
    for (let v = byte; v !== 0; v >>= 1) ones += v & 1;
    key.push((byte << 1) | (ones % 2 === 0 ? 1 : 0));
  }
  return key;
}

/** DES-ECB of one 8-byte block under a 7-byte key (MS-NLMP's DES(K, D)). */
function des(key7: Uint8Array, block: Uint8Array): Buffer {
  const cipher = desjs.DES.create({ type: 'encrypt', key: desKey(key7), padding: false });
  return Buffer.from([...cipher.update(Array.from(block)), ...cipher.final()]);
}

/**
 * DESL(K, D) of MS-NLMP section 6: a 16-byte key cut into three DES keys (the last one padded
 * with zeros), each encrypting the same 8-byte block; 24 bytes out.
 */
export function desl(key: Uint8Array, data: Uint8Array): Buffer {
  expectLength(key, 16, 'DESL key');
  expectLength(data, 8, 'DESL data');
  const third = new Uint8Array(7);
  third.set(key.subarray(14, 16));
  return concatBytes(
    des(key.subarray(0, 7), data),
    des(key.subarray(7, 14), data),
    des(third, data),
  );
}

/** NTOWFv1(Passwd) = MD4(UNICODE(Passwd)): the "NT hash". */
export function ntowfv1(password: string): Buffer {
  return md4Digest(utf16le(password));
}

const LM_MAGIC = Buffer.from('KGS!@#$%', 'latin1');

/**
 * LMOWFv1(Passwd): the LM hash (upper-cased OEM password, cut or zero-padded to 14 bytes, as two
 * DES keys encrypting "KGS!@#$%"). Kept for checking the MS-NLMP vectors; the messages built by
 * this package never send an LM response (see createAuthenticateMessage).
 */
export function lmowfv1(password: string): Buffer {
  const oem = oemBytes(password.toUpperCase(), 'password');
  const padded = new Uint8Array(14);
  padded.set(oem.subarray(0, 14));
  return concatBytes(des(padded.subarray(0, 7), LM_MAGIC), des(padded.subarray(7, 14), LM_MAGIC));
}

/**
 * NTOWFv2(Passwd, User, UserDom) = HMAC_MD5(NTOWFv1(Passwd), UNICODE(Uppercase(User) ‖ UserDom)).
 * Also LMOWFv2: the two are the same function. The domain is used as given (not upper-cased).
 */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntowfv1(password), utf16le(upperCaseLikeWindows(user) + domain));
}

export type NtlmV1Result = {
  /** DESL(ResponseKeyNT, ServerChallenge), 24 bytes. */
  ntChallengeResponse: Buffer;
  /** DESL(ResponseKeyLM, ServerChallenge) when an LM key is given, else a copy of the NT response. */
  lmChallengeResponse: Buffer;
  /** MD4(ResponseKeyNT). */
  sessionBaseKey: Buffer;
};

/**
 * The NTLM v1 response of MS-NLMP section 3.3.1 without extended session security. Without
 * `responseKeyLM` the LM response is a copy of the NT response (the specification's
 * NoLMResponseNTLMv1 case), which keeps the weak LM hash off the wire.
 */
export function ntlmV1Response(input: {
  responseKeyNT: Uint8Array;
  responseKeyLM?: Uint8Array;
  serverChallenge: Uint8Array;
}): NtlmV1Result {
  expectLength(input.serverChallenge, 8, 'server challenge');
  const ntChallengeResponse = desl(input.responseKeyNT, input.serverChallenge);
  const lmChallengeResponse =
    input.responseKeyLM === undefined
      ? Buffer.from(ntChallengeResponse)
      : desl(input.responseKeyLM, input.serverChallenge);
  return {
    ntChallengeResponse,
    lmChallengeResponse,
    sessionBaseKey: md4Digest(input.responseKeyNT),
  };
}

/** The largest FILETIME (a 64-bit count of 100 ns since 1601-01-01 UTC). */
const MAX_FILETIME = (1n << 64n) - 1n;
/** 1970-01-01 − 1601-01-01 in milliseconds. */
const UNIX_EPOCH_AS_FILETIME_MS = 11_644_473_600_000n;

/** The current time as a FILETIME. */
export function fileTimeNow(nowMs: number = Date.now()): bigint {
  return (BigInt(Math.trunc(nowMs)) + UNIX_EPOCH_AS_FILETIME_MS) * 10_000n;
}

export type NtlmV2Result = {
  /** HMAC_MD5(ResponseKeyNT, ServerChallenge ‖ temp), 16 bytes. */
  ntProofStr: Buffer;
  /** NTProofStr ‖ temp (the NTLMv2_RESPONSE). */
  ntChallengeResponse: Buffer;
  /** LMv2: HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge, 24 bytes. */
  lmChallengeResponse: Buffer;
  /** HMAC_MD5(ResponseKeyNT, NTProofStr). */
  sessionBaseKey: Buffer;
};

/**
 * The NTLM v2 response of MS-NLMP section 3.3.2, with
 * temp = 0x01 0x01 Z(6) Time ClientChallenge Z(4) ServerName Z(4), where ServerName is the
 * server's TargetInfo (AV pairs). ResponseKeyLM equals ResponseKeyNT (LMOWFv2 = NTOWFv2).
 */
export function ntlmV2Response(input: {
  responseKeyNT: Uint8Array;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  /** FILETIME. */
  timestamp: bigint;
  targetInfo: Uint8Array;
}): NtlmV2Result {
  expectLength(input.responseKeyNT, 16, 'ResponseKeyNT');
  expectLength(input.serverChallenge, 8, 'server challenge');
  expectLength(input.clientChallenge, 8, 'client challenge');
  if (input.timestamp < 0n || input.timestamp > MAX_FILETIME) {
    throw new NtlmError('NTLM_BAD_ARGUMENT', 'The timestamp must be a 64-bit FILETIME.');
  }
  const header = Buffer.alloc(16);
  header[0] = 1; // RespType
  header[1] = 1; // HiRespType
  header.writeBigUInt64LE(input.timestamp, 8);
  const temp = concatBytes(
    header,
    input.clientChallenge,
    Buffer.alloc(4),
    input.targetInfo,
    Buffer.alloc(4),
  );
  const ntProofStr = hmacMd5(input.responseKeyNT, input.serverChallenge, temp);
  return {
    ntProofStr,
    ntChallengeResponse: concatBytes(ntProofStr, temp),
    lmChallengeResponse: concatBytes(
      hmacMd5(input.responseKeyNT, input.serverChallenge, input.clientChallenge),
      input.clientChallenge,
    ),
    sessionBaseKey: hmacMd5(input.responseKeyNT, ntProofStr),
  };
}
