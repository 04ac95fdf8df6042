/**
 * Every failure of this package is an NtlmError with one of these codes. The challenge codes
 * (`NTLM_CHALLENGE_*`) mean the server sent something that is not a well-formed CHALLENGE_MESSAGE;
 * the others mean the caller's input cannot be used.
 */
export type NtlmErrorCode =
  /** The server's SASL challenge is not base64. */
  | 'NTLM_CHALLENGE_BAD_BASE64'
  /** Shorter than the fixed part of a CHALLENGE_MESSAGE (or than a field its flags announce). */
  | 'NTLM_CHALLENGE_TRUNCATED'
  /** Does not start with "NTLMSSP\0". */
  | 'NTLM_CHALLENGE_BAD_SIGNATURE'
  /** MessageType is not 2. */
  | 'NTLM_CHALLENGE_BAD_MESSAGE_TYPE'
  /** A field's offset and length point outside the message (or a UTF-16 field has an odd length). */
  | 'NTLM_CHALLENGE_FIELD_OUT_OF_BOUNDS'
  /** TargetInfo is not a well-formed AV_PAIR list ending with MsvAvEOL. */
  | 'NTLM_CHALLENGE_BAD_TARGET_INFO'
  /** The account name is empty or malformed (see splitNtlmUsername). */
  | 'NTLM_BAD_USERNAME'
  /** A string cannot be sent: non-ASCII without Unicode negotiated, or longer than a field holds. */
  | 'NTLM_UNENCODABLE'
  /** An option is out of range (client challenge not 8 bytes, timestamp not a 64-bit FILETIME). */
  | 'NTLM_BAD_ARGUMENT'
  /** The SASL exchange was used out of order (a second challenge after the response). */
  | 'NTLM_BAD_STATE';

export class NtlmError extends Error {
  readonly code: NtlmErrorCode;

  constructor(code: NtlmErrorCode, message: string) {
    super(message);
    this.name = 'NtlmError';
    this.code = code;
  }
}
