// What the app may read besides its own mailbox (least privilege). Entra admin consent to Mail.*
// application permissions (the token's `roles`) covers every mailbox of the tenant; Exchange's
// RBAC for Applications grants a scoped role that the token does not show. So the roles are a
// hint, and the canary — another mailbox the user names — is the proof: reading its Inbox's
// counters (no message is opened) must be refused with 403.
import { PERMISSION_NAME, type MailboxAccess } from '@email-profiles/core';
import type { GraphConfig } from './config.js';
import type { GraphSession } from './session.js';

export async function checkAccess(
  session: GraphSession,
  config: GraphConfig,
): Promise<MailboxAccess> {
  const token = await session.token();
  const identity = {
    tenantWideRoles: (token.roles ?? [])
      .filter((role) => role.startsWith('Mail.') && PERMISSION_NAME.test(role))
      .slice(0, 32),
  };
  const canary = config.canaryAddress;
  if (canary === undefined || canary.toLowerCase() === config.emailAddress.toLowerCase()) {
    return { ...identity, canary: 'not_checked' };
  }
  try {
    const response = await session.call({
      path: `${session.resolved.graph}/v1.0/users/${encodeURIComponent(canary)}/mailFolders/inbox`,
      query: { $select: 'totalItemCount,unreadItemCount' },
      stage: 'permission',
      need: 'Mail.Read',
      ok: [200, 403, 404],
    });
    const answer =
      response.status === 200 ? 'readable' : response.status === 403 ? 'denied' : 'absent';
    return { ...identity, canary: answer };
  } catch {
    return { ...identity, canary: 'not_checked' }; // unreachable now: says nothing either way
  }
}
