// The connectivity check for a Graph profile: a fresh token (so a permission granted a minute ago
// shows), the application permissions it carries, then the Inbox of the mailbox.
import { graphExplanations, type ProbeOptions, type ProbeReport } from '@email-profiles/core';
import { runProbe, withHttp, type StepRecorder } from '@email-profiles/transport-net';
import type { GraphConfig, ResolvedOptions } from './config.js';
import { GraphError, rolesGranting, unexpectedAnswer, type MailPermission } from './errors.js';
import { GraphSession } from './session.js';
import type { AccessToken } from './token.js';

const MAX_ROLES_SHOWN = 300;

/**
 * A mailbox's probe checks reading and sending; a sender's (the Director's own mail settings)
 * only that the application may send, since it never reads the mailbox.
 */
export type GraphProbePurpose = 'mailbox' | 'send';

export async function probeGraph(
  config: GraphConfig,
  options: ResolvedOptions,
  probeOptions: ProbeOptions = {},
  purpose: GraphProbePurpose = 'mailbox',
): Promise<ProbeReport> {
  return withHttp((dispatcher) =>
    runProbe(probeOptions.onStep, async (recorder) => {
      const session = new GraphSession(config, options, dispatcher, probeOptions.signal);
      const token = await tokenStep(recorder, session, config);
      await permissionStep(
        recorder,
        token,
        purpose === 'mailbox' ? ['Mail.Read', 'Mail.Send'] : ['Mail.Send'],
      );
      if (purpose === 'mailbox') await mailboxStep(recorder, session, config);
    }),
  );
}

function tokenStep(
  recorder: StepRecorder,
  session: GraphSession,
  config: GraphConfig,
): Promise<AccessToken> {
  return recorder.step(
    'token',
    () => session.token(true),
    (token) => {
      const minutes = Math.round((token.expiresAt - Date.now()) / 60_000);
      const expiresAt = new Date(token.expiresAt).toISOString();
      return {
        summary: `Got an app-only token for tenant ${config.tenantId}, valid until ${expiresAt} (${minutes} min)`,
        facts: {
          tenant: config.tenantId,
          cloud: config.cloud,
          tokenEndpoint: new URL(session.resolved.tokenUrl).host,
          expiresAt,
        },
      };
    },
  );
}

async function permissionStep(
  recorder: StepRecorder,
  token: AccessToken,
  needs: readonly ('Mail.Read' | 'Mail.Send')[],
): Promise<void> {
  const { roles } = token;
  if (roles === undefined) {
    recorder.note(
      'permission',
      'warning',
      'The access token is not a readable JWT, so its permissions were not checked; the mailbox check shows whether reading works',
    );
    return;
  }
  await recorder.step(
    'permission',
    () => {
      const missing: MailPermission[] = [];
      for (const need of needs) {
        if (!roles.some((role) => rolesGranting[need].includes(role))) missing.push(need);
      }
      if (missing.length > 0) return Promise.reject(missingPermissions(missing, roles));
      return Promise.resolve(roles);
    },
    (granted) => {
      const mail = granted.filter((role) => role.startsWith('Mail.'));
      return {
        summary: `The application may ${needs.includes('Mail.Read') ? 'read and send' : 'send'} mail (application permissions: ${mail.join(', ')})`,
        facts: { roles: granted.join(', ').slice(0, MAX_ROLES_SHOWN) },
      };
    },
  );
}

function missingPermissions(missing: MailPermission[], roles: string[]): GraphError {
  const granted = roles.length === 0 ? 'none' : roles.join(', ');
  return new GraphError(
    {
      stage: 'permission',
      protocol: 'graph',
      message: `Application permissions in the access token (roles): ${granted}`.slice(0, 900),
    },
    graphExplanations.missingPermissions(missing),
  );
}

async function mailboxStep(
  recorder: StepRecorder,
  session: GraphSession,
  config: GraphConfig,
): Promise<void> {
  await recorder.step(
    'mailbox',
    async () => {
      const response = await session.call({
        path: '/mailFolders/inbox',
        query: { $select: 'totalItemCount,unreadItemCount' },
        stage: 'mailbox',
        need: 'Mail.Read',
        ok: [200],
      });
      const folder = response.json as
        { totalItemCount?: unknown; unreadItemCount?: unknown } | null | undefined;
      const total = folder?.totalItemCount;
      const unread = folder?.unreadItemCount;
      if (typeof total !== 'number') {
        throw unexpectedAnswer('mailbox', 'The Inbox was returned without its message count');
      }
      return { total, unread: typeof unread === 'number' ? unread : undefined };
    },
    ({ total, unread }) => ({
      summary: `Opened the Inbox of ${config.emailAddress}: ${total} message${total === 1 ? '' : 's'}${unread === undefined ? '' : `, ${unread} unread`}`,
      facts: { messages: total, ...(unread === undefined ? {} : { unread }) },
    }),
  );
}
