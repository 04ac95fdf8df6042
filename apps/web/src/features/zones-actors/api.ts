import { api, type ApiInputs } from '../../api/client';

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
};
