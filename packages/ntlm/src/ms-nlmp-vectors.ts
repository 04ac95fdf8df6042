// Test data only (imported by the *.test.ts files, not by the package's code).
//
// The test vectors of Microsoft's [MS-NLMP] "NT LAN Manager (NTLM) Authentication Protocol",
// section 4.2 "Cryptographic Values for Validation":
//   4.2.1 Common Values, 4.2.2 NTLM v1 Authentication, 4.2.4 NTLMv2 Authentication.
//   https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/ (section 4.2)
// The Microsoft page itself was not reachable from here: the bytes were transcribed from
// gss-ntlmssp's tests/ntlmssptest.c ("Test Data as per para 4.2 of MS-NLMP") and cross-checked
// against other independent copies of the same section (Chromium's net/ntlm/ntlm_test_data.h,
// go-mssqldb's NTLM tests, several Rust NTLM crates), which agree byte for byte. Nothing here was
// produced by this package.

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** 4.2.1 Common Values. */
export const common = {
  user: 'User',
  userDom: 'Domain',
  passwd: 'Password',
  serverName: 'Server',
  workstationName: 'COMPUTER',
  randomSessionKey: hex('55555555555555555555555555555555'),
  time: 0n,
  clientChallenge: hex('aaaaaaaaaaaaaaaa'),
  serverChallenge: hex('0123456789abcdef'),
} as const;

/** 4.2.2 NTLM v1 Authentication (without extended session security). */
export const ntlmV1 = {
  /** NegotiateFlags of the CHALLENGE_MESSAGE. */
  challengeFlags: 0xe2028233,
  lmowfv1: hex('e52cac67419a9a224a3b108f3fa6cb6d'),
  ntowfv1: hex('a4f49c406510bdcab6824ee7c30fd852'),
  sessionBaseKey: hex('d87262b0cde4b1cb7499becccdf10784'),
  ntlmV1Response: hex('67c43011f30298a2ad35ece64f16331c44bdbed927841f94'),
  lmV1Response: hex('98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13'),
  encryptedSessionKey: hex('518822b1b3f350c8958682ecbb3e3cb7'),
  challengeMessage: hex(`
    4e544c4d53535000 020000000c000c00
    38000000338202e2 0123456789abcdef
    0000000000000000 0000000000000000
    060070170000000f 5300650072007600
    65007200`),
  authenticateFlags: 0xe2808235,
  authenticateMessage: hex(`
    4e544c4d53535000 0300000018001800
    6c00000018001800 840000000c000c00
    4800000008000800 5400000010001000
    5c00000010001000 9c000000358280e2
    0501280a0000000f 44006f006d006100
    69006e0055007300 6500720043004f00
    4d00500055005400 4500520098def7b8
    7f88aa5dafe2df77 9688a172def11c7d
    5ccdef1367c43011 f30298a2ad35ece6
    4f16331c44bdbed9 27841f94518822b1
    b3f350c8958682ec bb3e3cb7`),
} as const;

/** 4.2.4 NTLMv2 Authentication. */
export const ntlmV2 = {
  challengeFlags: 0xe28a8233,
  /** The AV pairs: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL. */
  targetInfo: hex(`
    02000c0044006f006d00610069006e00
    01000c0053006500720076006500720000000000`),
  responseKeyNT: hex('0c868a403bfd7a93a3001ef22ef02e3f'),
  sessionBaseKey: hex('8de40ccadbc14a82f15cb0ad0de95ca3'),
  lmV2Response: hex('86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa'),
  ntProofStr: hex('68cd0ab851e51c96aabc927bebef6a1c'),
  encryptedSessionKey: hex('c5dad2544fc9799094ce1ce90bc9d03e'),
  challengeMessage: hex(`
    4e544c4d53535000 020000000c000c00
    3800000033828ae2 0123456789abcdef
    0000000000000000 2400240044000000
    060070170000000f 5300650072007600
    6500720002000c00 44006f006d006100
    69006e0001000c00 5300650072007600
    6500720000000000`),
  authenticateFlags: 0xe2888235,
  authenticateMessage: hex(`
    4e544c4d53535000 0300000018001800
    6c00000054005400 840000000c000c00
    4800000008000800 5400000010001000
    5c00000010001000 d8000000358288e2
    0501280a0000000f 44006f006d006100
    69006e0055007300 6500720043004f00
    4d00500055005400 4500520086c35097
    ac9cec102554764a 57cccc19aaaaaaaa
    aaaaaaaa68cd0ab8 51e51c96aabc927b
    ebef6a1c01010000 0000000000000000
    00000000aaaaaaaa aaaaaaaa00000000
    02000c0044006f00 6d00610069006e00
    01000c0053006500 7200760065007200
    0000000000000000 c5dad2544fc97990
    94ce1ce90bc9d03e`),
} as const;

/** The Version field of both AUTHENTICATE_MESSAGEs: 5.1, build 2600, NTLMSSP_REVISION_W2K3. */
export const authenticateVersion = hex('0501280a0000000f');
