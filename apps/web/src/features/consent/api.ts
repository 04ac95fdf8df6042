import type { ConsentTarget } from '@email-profiles/core';
import { api } from '../../api/client';

export const consentApi = {
  start: (target: ConsentTarget) => api.consent.start.mutate(target),
};
