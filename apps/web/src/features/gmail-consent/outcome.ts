// What the Director's consent callback said, from the query it sent the browser back with.
import { gmailConsentQuery } from '@email-profiles/core';
import type { LocationQuery } from 'vue-router';

export type ConsentOutcome =
  { ok: true; account: string } | { ok: false; message: string } | undefined;

export function consentOutcome(query: LocationQuery): ConsentOutcome {
  const text = (key: string) => {
    const value = query[key];
    return typeof value === 'string' ? value : '';
  };
  const outcome = text(gmailConsentQuery.outcome);
  if (outcome === 'granted') return { ok: true, account: text(gmailConsentQuery.account) };
  if (outcome === 'failed') return { ok: false, message: text(gmailConsentQuery.message) };
  return undefined;
}
