// The connectivity check for a Graph profile: a fresh token (so a permission granted a minute ago
// shows), the application permissions it carries, then the Inbox of the mailbox.
import { readsOtherMailboxes, type ProbeOptions, type ProbeReport } from '@email-profiles/core';
import { runProbe, withHttp, type StepRecorder } from '@email-profiles/transport-net';
import { checkAccess } from './access.js';
import type { GraphConfig, ResolvedOptions } from './config.js';
import { rolesGranting, unexpectedAnswer } from './errors.js';
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
      if (purpose === 'mailbox') {
        await mailboxStep(recorder, session, config);
        await accessStep(recorder, session, config);
      }
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
  const missing = needs.filter((need) => !roles.some((role) => rolesGranting[need].includes(role)));
  if (missing.length > 0) {
    // Not a failure: Exchange's RBAC for Applications grants a role for chosen mailboxes only
    // (least privilege), and such a grant is not in the token. The mailbox and send show it.
    recorder.note(
      'permission',
      'warning',
      `The access token has no tenant-wide ${missing.join(' or ')} (application permissions: ${roles.length > 0 ? roles.join(', ') : 'none'}). If Exchange RBAC for Applications grants it for this mailbox, that is least privilege; otherwise grant it with admin consent`.slice(
        0,
        500,
      ),
    );
    return;
  }
  await recorder.step(
    'permission',
    () => Promise.resolve(roles),
    (granted) => {
      const mail = granted.filter((role) => role.startsWith('Mail.'));
      return {
        summary: `The application may ${needs.includes('Mail.Read') ? 'read and send' : 'send'} mail (application permissions: ${mail.join(', ')})`,
        facts: { roles: granted.join(', ').slice(0, MAX_ROLES_SHOWN) },
      };
    },
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

async function accessStep(
  recorder: StepRecorder,
  session: GraphSession,
  config: GraphConfig,
): Promise<void> {
  const access = await checkAccess(session, config);
  const canary = config.canaryAddress;
  if (access.canary === 'denied') {
    recorder.note(
      'access',
      'ok',
      `Reading the canary ${canary ?? ''} was refused (403): the app is scoped to its mailboxes`,
    );
    return;
  }
  if (readsOtherMailboxes(access)) {
    recorder.note(
      'access',
      'warning',
      access.canary === 'readable'
        ? `The app read the canary mailbox ${canary ?? ''}: it can read other mailboxes of the tenant. Scope it with RBAC for Applications (see the profile's health)`
        : `The app has tenant-wide ${access.tenantWideRoles.join(', ')}: it can read every mailbox of the tenant unless Exchange scopes it${access.canary === 'absent' ? ` (the canary ${canary ?? ''} does not exist)` : '. Name a canary mailbox to check'}`,
    );
    return;
  }
  recorder.note(
    'access',
    access.canary === 'absent' ? 'warning' : 'ok',
    access.canary === 'absent'
      ? `The canary ${canary ?? ''} was not found in the tenant: check its address`
      : 'No tenant-wide mail permission: access comes from Exchange (scoped)',
  );
}
