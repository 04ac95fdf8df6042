import { api, type ApiInputs } from '../../api/client';

export const mailSettingsApi = {
  get: () => api.settings.mail.get.query(),
  update: (input: ApiInputs['settings']['mail']['update']) =>
    api.settings.mail.update.mutate(input),
  sendTest: (input: ApiInputs['settings']['mail']['sendTest']) =>
    api.settings.mail.sendTest.mutate(input),
};
