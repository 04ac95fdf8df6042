// The form's side of a Gmail API profile: its OAuth client and their conversions (the consent
// follows the save).
import GmailFields from './GmailFields.vue';
import type { ServerTypeForm } from './types';

export const gmailForm: ServerTypeForm<'gmail'> = {
  fields: GmailFields,
  blank: { clientId: '', clientSecret: '', googleAppInTesting: false },
  draftOf: ({ clientId, googleAppInTesting }) => ({ clientId, googleAppInTesting }),
  inputOf: ({ clientId, clientSecret, googleAppInTesting }) => ({
    clientId,
    clientSecret,
    googleAppInTesting,
  }),
};
