// What the Director's consent callback said, from the query it sent the browser back with.
import { consentQuery } from '@email-profiles/core';
import type { LocationQuery } from 'vue-router';

export type ConsentOutcome =
  { ok: true; account: string } | { ok: false; message: string } | undefined;

export function consentOutcome(query: LocationQuery): ConsentOutcome {
  const text = (key: string) => {
    const value = query[key];
    return typeof value === 'string' ? value : '';
  };
  const outcome = text(consentQuery.outcome);
  if (outcome === 'granted') return { ok: true, account: text(consentQuery.account) };
  if (outcome === 'failed') return { ok: false, message: text(consentQuery.message) };
  return undefined;
}
