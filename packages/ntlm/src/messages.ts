// The three NTLM messages of MS-NLMP section 2.2.1: NEGOTIATE (type 1), CHALLENGE (type 2, parsed
// from the server, which may be hostile) and AUTHENTICATE (type 3).
import { randomBytes } from 'node:crypto';
import {
  concatBytes,
  oemBytes,
  readUint16LE,
  readUint32LE,
  utf16le,
  writeUint16LE,
  writeUint32LE,
} from './bytes.js';
import { fileTimeNow, ntlmV1Response, ntlmV2Response, ntowfv1, ntowfv2 } from './crypto.js';
import { NtlmError } from './errors.js';
import { splitNtlmUsername } from './username.js';

/** NegotiateFlags bits (MS-NLMP section 2.2.2.5). */
export const NtlmFlags = {
  NEGOTIATE_UNICODE: 0x00000001,
  NEGOTIATE_OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  NEGOTIATE_SIGN: 0x00000010,
  NEGOTIATE_SEAL: 0x00000020,
  NEGOTIATE_DATAGRAM: 0x00000040,
  NEGOTIATE_LM_KEY: 0x00000080,
  NEGOTIATE_NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  NEGOTIATE_OEM_DOMAIN_SUPPLIED: 0x00001000,
  NEGOTIATE_OEM_WORKSTATION_SUPPLIED: 0x00002000,
  NEGOTIATE_ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  NEGOTIATE_EXTENDED_SESSIONSECURITY: 0x00080000,
  NEGOTIATE_IDENTIFY: 0x00100000,
  REQUEST_NON_NT_SESSION_KEY: 0x00400000,
  NEGOTIATE_TARGET_INFO: 0x00800000,
  NEGOTIATE_VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  NEGOTIATE_KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

/** AvId values of the AV_PAIRs in TargetInfo (MS-NLMP section 2.2.2.1). */
export const NtlmAvId = {
  MsvAvEOL: 0,
  MsvAvNbComputerName: 1,
  MsvAvNbDomainName: 2,
  MsvAvDnsComputerName: 3,
  MsvAvDnsDomainName: 4,
  MsvAvDnsTreeName: 5,
  MsvAvFlags: 6,
  MsvAvTimestamp: 7,
  MsvAvSingleHost: 8,
  MsvAvTargetName: 9,
  MsvAvChannelBindings: 10,
} as const;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const NEGOTIATE_MESSAGE = 1;
const CHALLENGE_MESSAGE = 2;
const AUTHENTICATE_MESSAGE = 3;

/**
 * The flags this client asks for: Unicode (OEM as fallback), the target name, NTLM and always-sign.
 * Deliberately not NEGOTIATE_EXTENDED_SESSIONSECURITY: without target info that would call for the
 * "NTLM2 session response", which Cyrus SASL rejects; NTLMv2 does not need it. No signing, sealing
 * or key exchange either: SASL NTLM has no security layer.
 */
export const DEFAULT_NEGOTIATE_FLAGS =
  (NtlmFlags.NEGOTIATE_UNICODE |
    NtlmFlags.NEGOTIATE_OEM |
    NtlmFlags.REQUEST_TARGET |
    NtlmFlags.NEGOTIATE_NTLM |
    NtlmFlags.NEGOTIATE_ALWAYS_SIGN) >>>
  0;

export type NtlmAvPair = { id: number; value: Uint8Array };

export type NtlmVersion = {
  major: number;
  minor: number;
  build: number;
  /** NTLMRevisionCurrent, 15 for NTLMSSP_REVISION_W2K3. */
  revision: number;
};

export type NtlmChallenge = {
  flags: number;
  /** The 8-byte ServerChallenge. */
  serverChallenge: Uint8Array;
  /** TargetName, decoded (UTF-16LE when Unicode was negotiated); '' when absent. */
  targetName: string;
  /**
   * TargetInfo as sent, up to and including MsvAvEOL; absent when the server sent none (as Cyrus
   * does), which makes the client answer NTLMv1.
   */
  targetInfo?: Uint8Array;
  /** The AV pairs of TargetInfo, without MsvAvEOL, in order. */
  avPairs: NtlmAvPair[];
  /** The names TargetInfo carries (first occurrence of each), for diagnostics. */
  serverNames: {
    nbComputerName?: string;
    nbDomainName?: string;
    dnsComputerName?: string;
    dnsDomainName?: string;
    dnsTreeName?: string;
  };
  /** MsvAvTimestamp (FILETIME), when the server sent one. */
  timestamp?: bigint;
  /** The Version field, when NEGOTIATE_VERSION is set and the message has one. */
  version?: NtlmVersion;
};

function fail(code: NtlmError['code'], message: string): never {
  throw new NtlmError(code, message);
}

/**
 * A field's (Len, MaxLen, Offset) triple at `at`, checked against the message's length. MaxLen is
 * ignored, as the specification says.
 */
function readField(message: Uint8Array, at: number, name: string): Uint8Array {
  const length = readUint16LE(message, at);
  const offset = readUint32LE(message, at + 4);
  if (length === 0) return new Uint8Array(0);
  if (offset > message.length || length > message.length - offset) {
    fail(
      'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
      `The NTLM challenge's ${name} (${length} bytes at offset ${offset}) lies outside the ${message.length}-byte message.`,
    );
  }
  return Uint8Array.from(message.subarray(offset, offset + length));
}

function decodeUtf16(bytes: Uint8Array, onOdd: () => never): string {
  if (bytes.length % 2 !== 0) onOdd();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
}

const NAME_KEYS = {
  [NtlmAvId.MsvAvNbComputerName]: 'nbComputerName',
  [NtlmAvId.MsvAvNbDomainName]: 'nbDomainName',
  [NtlmAvId.MsvAvDnsComputerName]: 'dnsComputerName',
  [NtlmAvId.MsvAvDnsDomainName]: 'dnsDomainName',
  [NtlmAvId.MsvAvDnsTreeName]: 'dnsTreeName',
} as const satisfies Record<number, keyof NtlmChallenge['serverNames']>;

function isNameId(id: number): id is keyof typeof NAME_KEYS {
  return id in NAME_KEYS;
}

type ParsedTargetInfo = Pick<NtlmChallenge, 'avPairs' | 'serverNames' | 'timestamp'> & {
  /** Length of the AV pair list through MsvAvEOL. */
  length: number;
};

/**
 * Walks the AV_PAIR list. Every pair's length is checked before its value is read; each step moves
 * forward by at least 4 bytes, so the walk ends within length / 4 steps.
 */
function parseTargetInfo(info: Uint8Array): ParsedTargetInfo {
  const badTargetInfo = (message: string): never =>
    fail('NTLM_CHALLENGE_BAD_TARGET_INFO', `The NTLM challenge's target info ${message}.`);
  const result: ParsedTargetInfo = { avPairs: [], serverNames: {}, length: 0 };
  let position = 0;
  for (;;) {
    if (info.length - position < 4) return badTargetInfo('ends without MsvAvEOL');
    const id = readUint16LE(info, position);
    const length = readUint16LE(info, position + 2);
    const start = position + 4;
    if (length > info.length - start) {
      return badTargetInfo(
        `has an AV pair (id ${id}, ${length} bytes at offset ${position}) that runs past its end`,
      );
    }
    if (id === NtlmAvId.MsvAvEOL) {
      if (length !== 0) return badTargetInfo('has an MsvAvEOL with a value');
      result.length = start;
      return result;
    }
    const value = info.slice(start, start + length);
    result.avPairs.push({ id, value });
    if (isNameId(id)) {
      const name = decodeUtf16(value, () => badTargetInfo(`has a name (id ${id}) of odd length`));
      result.serverNames[NAME_KEYS[id]] ??= name;
    } else if (id === NtlmAvId.MsvAvTimestamp) {
      if (length !== 8) return badTargetInfo(`has an MsvAvTimestamp of ${length} bytes, not 8`);
      result.timestamp ??= Buffer.from(value).readBigUInt64LE(0);
    }
    position = start + length;
  }
}

/** Signature (8), MessageType (4), TargetNameFields (8), NegotiateFlags (4), ServerChallenge (8). */
const CHALLENGE_FIXED_LENGTH = 32;
/** … then Reserved (8) and TargetInfoFields (8). */
const CHALLENGE_WITH_TARGET_INFO_LENGTH = 48;
/** … then Version (8). */
const CHALLENGE_WITH_VERSION_LENGTH = 56;

/**
 * Parses and checks a CHALLENGE_MESSAGE (type 2). Anything malformed throws an NtlmError with a
 * NTLM_CHALLENGE_* code; nothing is read outside `message`. Accepts the short forms older servers
 * send (32 bytes, no target info fields) as long as the flags do not announce target info.
 */
export function parseChallengeMessage(message: Uint8Array): NtlmChallenge {
  const signatureBytes = Math.min(message.length, SIGNATURE.length);
  for (let i = 0; i < signatureBytes; i++) {
    if (message[i] !== SIGNATURE[i]) {
      fail(
        'NTLM_CHALLENGE_BAD_SIGNATURE',
        'The server\'s NTLM challenge does not start with "NTLMSSP".',
      );
    }
  }
  if (message.length < SIGNATURE.length + 4) {
    fail(
      'NTLM_CHALLENGE_TRUNCATED',
      `The server's NTLM challenge is only ${message.length} bytes long.`,
    );
  }
  const type = readUint32LE(message, SIGNATURE.length);
  if (type !== CHALLENGE_MESSAGE) {
    fail(
      'NTLM_CHALLENGE_BAD_MESSAGE_TYPE',
      `The server sent NTLM message type ${type} instead of a challenge (2).`,
    );
  }
  if (message.length < CHALLENGE_FIXED_LENGTH) {
    fail(
      'NTLM_CHALLENGE_TRUNCATED',
      `The server's NTLM challenge is ${message.length} bytes long, shorter than the ${CHALLENGE_FIXED_LENGTH} its fixed fields take.`,
    );
  }
  const flags = readUint32LE(message, 20);
  const unicode = (flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  const serverChallenge = Uint8Array.from(message.subarray(24, 32));

  const targetNameBytes = readField(message, 12, 'target name');
  const targetName = unicode
    ? decodeUtf16(targetNameBytes, () =>
        fail(
          'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS',
          "The NTLM challenge's Unicode target name has an odd length.",
        ),
      )
    : Buffer.from(targetNameBytes).toString('latin1');

  const challenge: NtlmChallenge = {
    flags,
    serverChallenge,
    targetName,
    avPairs: [],
    serverNames: {},
  };
  let payloadStart = targetNameBytes.length > 0 ? readUint32LE(message, 16) : message.length;

  if ((flags & NtlmFlags.NEGOTIATE_TARGET_INFO) !== 0) {
    if (message.length < CHALLENGE_WITH_TARGET_INFO_LENGTH) {
      fail(
        'NTLM_CHALLENGE_TRUNCATED',
        `The server's NTLM challenge announces target info but is only ${message.length} bytes long.`,
      );
    }
    const info = readField(message, 40, 'target info');
    if (info.length > 0) {
      payloadStart = Math.min(payloadStart, readUint32LE(message, 44));
      const parsed = parseTargetInfo(info);
      challenge.targetInfo = info.slice(0, parsed.length);
      challenge.avPairs = parsed.avPairs;
      challenge.serverNames = parsed.serverNames;
      if (parsed.timestamp !== undefined) challenge.timestamp = parsed.timestamp;
    }
  }

  // Version is only informative: read it when announced and not overlapping the payload.
  if (
    (flags & NtlmFlags.NEGOTIATE_VERSION) !== 0 &&
    message.length >= CHALLENGE_WITH_VERSION_LENGTH &&
    payloadStart >= CHALLENGE_WITH_VERSION_LENGTH
  ) {
    challenge.version = {
      major: message[48] ?? 0,
      minor: message[49] ?? 0,
      build: readUint16LE(message, 50),
      revision: message[55] ?? 0,
    };
  }
  return challenge;
}

function header(type: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  SIGNATURE.copy(bytes, 0);
  writeUint32LE(bytes, 8, type);
  return bytes;
}

/** Lays out (Len, MaxLen, Offset) triples at the given header positions and the payload after. */
function withPayload(
  head: Buffer,
  fields: readonly (readonly [at: number, bytes: Uint8Array])[],
): Buffer {
  let offset = head.length;
  for (const [at, bytes] of fields) {
    writeUint16LE(head, at, bytes.length);
    writeUint16LE(head, at + 2, bytes.length);
    writeUint32LE(head, at + 4, offset);
    offset += bytes.length;
  }
  return concatBytes(head, ...fields.map(([, bytes]) => bytes));
}

function checkFieldLength(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length > 0xffff) {
    fail(
      'NTLM_UNENCODABLE',
      `The ${what} is too long for an NTLM message (${bytes.length} bytes).`,
    );
  }
  return bytes;
}

export type NegotiateOptions = {
  /** Sent in OEM (ASCII) with NEGOTIATE_OEM_DOMAIN_SUPPLIED; usually left out. */
  domain?: string;
  /** Sent in OEM (ASCII) with NEGOTIATE_OEM_WORKSTATION_SUPPLIED; usually left out. */
  workstation?: string;
  /** Defaults to DEFAULT_NEGOTIATE_FLAGS. */
  flags?: number;
};

/** A NEGOTIATE_MESSAGE (type 1), without the optional Version field. */
export function createNegotiateMessage(options: NegotiateOptions = {}): Buffer {
  let flags = options.flags ?? DEFAULT_NEGOTIATE_FLAGS;
  const domain = checkFieldLength(oemBytes(options.domain ?? '', 'domain'), 'domain');
  const workstation = checkFieldLength(
    oemBytes(options.workstation ?? '', 'workstation'),
    'workstation',
  );
  if (domain.length > 0) flags |= NtlmFlags.NEGOTIATE_OEM_DOMAIN_SUPPLIED;
  if (workstation.length > 0) flags |= NtlmFlags.NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
  const head = header(NEGOTIATE_MESSAGE, 32);
  writeUint32LE(head, 12, flags >>> 0);
  return withPayload(head, [
    [16, domain],
    [24, workstation],
  ]);
}

export type AuthenticateMessageFields = {
  flags: number;
  lmChallengeResponse: Uint8Array;
  ntChallengeResponse: Uint8Array;
  domain: string;
  user: string;
  workstation: string;
  /** Only with key exchange, which this package does not do itself; for reproducing vectors. */
  encryptedRandomSessionKey?: Uint8Array;
  /** The 8-byte Version field; written (after the fixed header) only when given. */
  version?: Uint8Array;
};

/**
 * Lays out an AUTHENTICATE_MESSAGE (type 3) from ready fields: strings in UTF-16LE when `flags`
 * has NEGOTIATE_UNICODE, else ASCII; payload in the order Windows uses (domain, user, workstation,
 * LM response, NT response, session key). No MIC.
 */
export function encodeAuthenticateMessage(fields: AuthenticateMessageFields): Buffer {
  const unicode = (fields.flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0;
  const text = (value: string, what: string) =>
    checkFieldLength(unicode ? utf16le(value) : oemBytes(value, what), what);
  const version = fields.version ?? new Uint8Array(0);
  if (version.length !== 0 && version.length !== 8) {
    fail('NTLM_BAD_ARGUMENT', 'The Version field must be 8 bytes long.');
  }
  const head = header(AUTHENTICATE_MESSAGE, 64 + version.length);
  writeUint32LE(head, 60, fields.flags >>> 0);
  head.set(version, 64);
  return withPayload(head, [
    [28, text(fields.domain, 'domain')],
    [36, text(fields.user, 'user name')],
    [44, text(fields.workstation, 'workstation')],
    [12, checkFieldLength(fields.lmChallengeResponse, 'LM response')],
    [20, checkFieldLength(fields.ntChallengeResponse, 'NT response')],
    [52, checkFieldLength(fields.encryptedRandomSessionKey ?? new Uint8Array(0), 'session key')],
  ]);
}

export type NtlmCredentials = {
  /** 'DOMAIN\\user', 'user@domain' (UPN) or a bare 'user'. */
  username: string;
  password: string;
  /** Sent as the workstation name; empty by default (no host name is disclosed). */
  workstation?: string;
};

export type AuthenticateOptions = {
  /** The NTLMv2 client challenge (8 bytes); random by default. */
  clientChallenge?: Uint8Array;
  /** The NTLMv2 time (FILETIME); by default the server's MsvAvTimestamp, else the current time. */
  timestamp?: bigint;
  /**
   * Answer NTLMv2 even when the challenge has no target info (then with an empty AV pair list).
   * Cyrus accepts this when the domain is empty or upper case. Off by default.
   */
  forceNtlmV2?: boolean;
};

/**
 * An AUTHENTICATE_MESSAGE (type 3) answering `challenge`: NTLMv2 when the challenge carries target
 * info (as Exchange's does), NTLMv1 otherwise (Cyrus), never the NTLM2 session response.
 *
 * - NTLMv2: LMv2 as the LM response, or Z(24) when the server sent MsvAvTimestamp (MS-NLMP
 *   3.1.5.1.2). No MIC is sent.
 * - NTLMv1: the LM response is a copy of the NT response, so no LM hash goes on the wire.
 *
 * Strings go in UTF-16LE when the server negotiated Unicode, else in ASCII.
 */
export function createAuthenticateMessage(
  challenge: NtlmChallenge,
  credentials: NtlmCredentials,
  options: AuthenticateOptions = {},
): Buffer {
  const { user, domain } = splitNtlmUsername(credentials.username);
  const charset =
    (challenge.flags & NtlmFlags.NEGOTIATE_UNICODE) !== 0
      ? NtlmFlags.NEGOTIATE_UNICODE
      : NtlmFlags.NEGOTIATE_OEM;
  const echoed =
    challenge.flags &
    (NtlmFlags.REQUEST_TARGET | NtlmFlags.NEGOTIATE_ALWAYS_SIGN | NtlmFlags.NEGOTIATE_TARGET_INFO);
  const flags = (charset | NtlmFlags.NEGOTIATE_NTLM | echoed) >>> 0;

  let responses: { lmChallengeResponse: Uint8Array; ntChallengeResponse: Uint8Array };
  if (challenge.targetInfo !== undefined || options.forceNtlmV2 === true) {
    const v2 = ntlmV2Response({
      responseKeyNT: ntowfv2(credentials.password, user, domain),
      serverChallenge: challenge.serverChallenge,
      clientChallenge: options.clientChallenge ?? randomBytes(8),
      timestamp: options.timestamp ?? challenge.timestamp ?? fileTimeNow(),
      targetInfo: challenge.targetInfo ?? new Uint8Array(4),
    });
    responses = {
      ntChallengeResponse: v2.ntChallengeResponse,
      lmChallengeResponse:
        challenge.timestamp === undefined ? v2.lmChallengeResponse : new Uint8Array(24),
    };
  } else {
    responses = ntlmV1Response({
      responseKeyNT: ntowfv1(credentials.password),
      serverChallenge: challenge.serverChallenge,
    });
  }
  return encodeAuthenticateMessage({
    flags,
    ...responses,
    domain,
    user,
    workstation: credentials.workstation ?? '',
  });
}
