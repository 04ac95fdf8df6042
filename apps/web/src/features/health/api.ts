import { api, type ApiInputs } from '../../api/client';

export const healthApi = {
  settings: () => api.health.settings.get.query(),
  saveSettings: (input: ApiInputs['health']['settings']['update']) =>
    api.health.settings.update.mutate(input),
  history: (profileId: string) => api.health.history.query({ profileId }),
};
