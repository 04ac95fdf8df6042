// The fields of each server type on the profile form's Account step; IMAP and POP3 then have
// their incoming and outgoing server steps (MailServerFields).
import type { SecretCheck, ServerType } from '@email-profiles/core';
import type { Component } from 'vue';
import GmailFields from './GmailFields.vue';
import GraphFields from './GraphFields.vue';
import MailServerAccount from './MailServerAccount.vue';

export const serverFields: Record<ServerType, Component<{ secrets: SecretCheck | undefined }>> = {
  graph: GraphFields,
  gmail: GmailFields,
  imap: MailServerAccount,
  pop3: MailServerAccount,
};
