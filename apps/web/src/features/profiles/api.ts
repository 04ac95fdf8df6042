import type { ProfileStatusEvent, VerificationTarget } from '@email-profiles/core';
import { api, unsubscriber, type ApiInputs, type StreamHandlers } from '../../api/client';

export const profilesApi = {
  list: () => api.profiles.list.query(),
  get: (id: string) => api.profiles.get.query({ id }),
  create: (input: ApiInputs['profiles']['create']) => api.profiles.create.mutate(input),
  update: (input: ApiInputs['profiles']['update']) => api.profiles.update.mutate(input),
  remove: (id: string) => api.profiles.delete.mutate({ id }),
  verificationCode: (id: string) => api.profiles.verificationCode.query({ id }),
  verify: (target: VerificationTarget) => api.verification.verify.mutate(target),
  /** The actor's failure in full (the list carries only its summary); null unless failed. */
  failure: (profileId: string, actorId: string) =>
    api.verification.failure.query({ profileId, actorId }),
  history: (profileId: string, actorId?: string) =>
    api.verification.history.query({ profileId, ...(actorId ? { actorId } : {}) }),
  /** Every profile's row whenever one of its actors' statuses changes; returns unsubscribe. */
  onStatus: ({ onData, onStarted, onError }: StreamHandlers<ProfileStatusEvent>) =>
    unsubscriber(api.verification.onStatus.subscribe(undefined, { onData, onStarted, onError })),
};
