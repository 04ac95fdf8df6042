// The form's side of a Microsoft Graph profile: its Account fields and their conversions.
import GraphFields from './GraphFields.vue';
import { optionalText } from '../../../forms/zod-schema';
import type { ServerTypeForm } from './types';

export const graphForm: ServerTypeForm<'graph'> = {
  fields: GraphFields,
  blank: {
    tenantId: '',
    clientId: '',
    clientSecret: '',
    cloud: 'global',
    clientSecretExpiresOn: '',
    canaryAddress: '',
  },
  draftOf: ({ tenantId, clientId, cloud, clientSecretExpiresOn, canaryAddress }) => ({
    tenantId,
    clientId,
    cloud,
    clientSecretExpiresOn: clientSecretExpiresOn ?? '',
    canaryAddress: canaryAddress ?? '',
  }),
  inputOf: ({ tenantId, clientId, clientSecret, cloud, clientSecretExpiresOn, canaryAddress }) => ({
    tenantId,
    clientId,
    clientSecret,
    cloud,
    clientSecretExpiresOn: optionalText(clientSecretExpiresOn),
    canaryAddress: optionalText(canaryAddress),
  }),
};
