import type { ActorsChange } from '@email-profiles/core';
import { api, unsubscriber, type ApiInputs, type StreamHandlers } from '../../api/client';

export const zonesApi = {
  list: () => api.zones.list.query(),
  create: (input: ApiInputs['zones']['create']) => api.zones.create.mutate(input),
  rename: (input: ApiInputs['zones']['rename']) => api.zones.rename.mutate(input),
  remove: (id: string) => api.zones.delete.mutate({ id }),
};

export const actorsApi = {
  list: () => api.actors.list.query(),
  download: () => api.actors.download.query(),
  createEnrollmentToken: (input: ApiInputs['actors']['createEnrollmentToken']) =>
    api.actors.createEnrollmentToken.mutate(input),
  revoke: (id: string) => api.actors.revoke.mutate({ id }),
  /** The actors table, live: the whole list, then each change; returns unsubscribe. */
  onChange: ({ onData, onStarted, onError }: StreamHandlers<ActorsChange>) =>
    unsubscriber(api.actors.onChange.subscribe(undefined, { onData, onStarted, onError })),
};
