import type { GmailConsentTarget } from '@email-profiles/core';
import { api } from '../../api/client';

export const gmailConsentApi = {
  start: (target: GmailConsentTarget) => api.consent.start.mutate(target),
};
