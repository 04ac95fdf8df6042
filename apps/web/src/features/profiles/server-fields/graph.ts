// The form's side of a Microsoft Graph profile: its Account fields and their conversions.
import GraphFields from './GraphFields.vue';
import type { ServerTypeForm } from './types';

export const graphForm: ServerTypeForm<'graph'> = {
  fields: GraphFields,
  blank: { tenantId: '', clientId: '', clientSecret: '', cloud: 'global' },
  draftOf: ({ tenantId, clientId, cloud }) => ({ tenantId, clientId, cloud }),
  inputOf: ({ tenantId, clientId, clientSecret, cloud }) => ({
    tenantId,
    clientId,
    clientSecret,
    cloud,
  }),
};
