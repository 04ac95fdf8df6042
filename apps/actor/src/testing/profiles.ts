// Test profiles for the actor's tests: task profiles on the private mail stack and the HTTP fakes,
// parsed with core's own schema so they are exactly what the Director sends.
import { randomUUID } from 'node:crypto';
import { taskProfileSchema, type TaskProfile } from '@email-profiles/core';
import type { MailStackInfo, MailUser } from '@email-profiles/mail-stack';
import { FakeGraph } from '@email-profiles/transport-graph/testing';

export function imapProfile(
  stack: MailStackInfo,
  user: MailUser,
  overrides: { serverType?: 'imap' | 'pop3'; port?: number; password?: string } = {},
): TaskProfile {
  const { dovecot, postfix } = stack;
  if (!dovecot || !postfix) throw new Error('the mail stack has no Dovecot or Postfix');
  const serverType = overrides.serverType ?? 'imap';
  const trust = { mode: 'ca', pem: stack.tls.caPem } as const;
  return taskProfileSchema.parse({
    id: randomUUID(),
    serverType,
    emailAddress: user.address,
    sendVerificationManually: false,
    username: user.username,
    password: overrides.password ?? user.password,
    incoming: {
      host: '127.0.0.1',
      port: overrides.port ?? (serverType === 'imap' ? dovecot.ports.imap : dovecot.ports.pop3),
      encryption: 'starttls',
      authType: 'plain',
      tlsTrust: trust,
    },
    outgoing: {
      host: '127.0.0.1',
      port: postfix.ports.submission,
      encryption: 'starttls',
      requiresAuth: false,
      tlsTrust: trust,
    },
  });
}

export const GRAPH_TENANT = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
export const GRAPH_CLIENT = '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b';
export const GRAPH_SECRET = 'Qx8~fakeSecretValue.0123456789abcdefGHIJ';

/** The Graph fake with the test app (Mail.Read, Mail.Send) and these mailboxes. */
export async function startGraphFake(...mailboxes: string[]): Promise<FakeGraph> {
  const graph = await FakeGraph.start();
  graph.addApp({
    tenantId: GRAPH_TENANT,
    clientId: GRAPH_CLIENT,
    secret: GRAPH_SECRET,
    roles: ['Mail.Read', 'Mail.Send'],
  });
  for (const mailbox of mailboxes) graph.addMailbox(mailbox);
  return graph;
}

export function graphProfile(emailAddress: string): TaskProfile {
  return taskProfileSchema.parse({
    id: randomUUID(),
    serverType: 'graph',
    emailAddress,
    sendVerificationManually: false,
    tenantId: GRAPH_TENANT,
    clientId: GRAPH_CLIENT,
    clientSecret: GRAPH_SECRET,
    cloud: 'global',
  });
}

export function gmailProfile(state: {
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  account: string;
}): TaskProfile {
  return taskProfileSchema.parse({
    id: randomUUID(),
    serverType: 'gmail',
    emailAddress: state.account,
    sendVerificationManually: false,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    ...(state.refreshToken === undefined ? {} : { refreshToken: state.refreshToken }),
  });
}
