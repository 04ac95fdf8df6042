import { api, type ApiInputs } from '../../api/client';

export const authApi = {
  status: () => api.auth.status.query(),
  setup: (input: ApiInputs['auth']['setup']) => api.auth.setup.mutate(input),
  login: (input: ApiInputs['auth']['login']) => api.auth.login.mutate(input),
  logout: () => api.auth.logout.mutate(),
};
