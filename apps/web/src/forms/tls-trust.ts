// How a form holds a TLS trust choice (every mode's field at once) and turns it into core's
// discriminated TlsTrust.
import type { TlsTrust } from '@email-profiles/core';

export type TlsTrustDraft = { mode: TlsTrust['mode']; sha256: string; pem: string };

export const systemTrustDraft = (): TlsTrustDraft => ({ mode: 'system', sha256: '', pem: '' });

export function trustDraftOf(trust: TlsTrust | undefined): TlsTrustDraft {
  if (trust?.mode === 'fingerprint')
    return { ...systemTrustDraft(), mode: 'fingerprint', sha256: trust.sha256 };
  if (trust?.mode === 'ca') return { ...systemTrustDraft(), mode: 'ca', pem: trust.pem };
  return systemTrustDraft();
}

export function trustOf(draft: TlsTrustDraft): TlsTrust {
  if (draft.mode === 'fingerprint') return { mode: 'fingerprint', sha256: draft.sha256 };
  if (draft.mode === 'ca') return { mode: 'ca', pem: draft.pem };
  return { mode: 'system' };
}
