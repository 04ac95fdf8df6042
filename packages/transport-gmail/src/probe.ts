// The connectivity check for a Gmail profile: token (refresh), mailbox (users.getProfile: the
// account must be the profile's address), permission (users.labels.list, and the granted scopes
// must cover reading and sending).
import { transportErrorCodes, type ProbeOptions, type ProbeReport } from '@email-profiles/core';
import { TransportError, runProbe } from '@email-profiles/transport-net';
import { endpointsOf, type GmailConfig, type GmailTuning } from './config.js';
import { missingScopes, sameAddress, scopeError } from './consent.js';
import { withSession, type SessionOptions } from './session.js';

export function sessionOptions(
  config: GmailConfig,
  tuning: GmailTuning,
  signal: AbortSignal | undefined,
): SessionOptions {
  return {
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    refreshToken: config.refreshToken,
    endpoints: endpointsOf(config.endpoints),
    tuning,
    signal,
  };
}

export function accountMismatch(consented: string, profile: string): TransportError {
  return new TransportError(
    {
      stage: 'mailbox',
      protocol: 'gmail',
      errorCode: transportErrorCodes.accountMismatch,
      message: `The authorisation is for ${consented}, the profile is for ${profile}`,
    },
    { step: { facts: { emailAddress: consented } } },
  );
}

export function probeGmail(
  config: GmailConfig,
  tuning: GmailTuning,
  options: ProbeOptions = {},
): Promise<ProbeReport> {
  return runProbe(options.onStep, (recorder) =>
    withSession(sessionOptions(config, tuning, options.signal), async (session) => {
      const token = await recorder.step(
        'token',
        () => session.accessToken('auth'),
        (t) => ({
          summary: 'Google issued an access token for the stored refresh token',
          facts: {
            scopes: t.scopes.join(' ') || 'not reported',
            ...(t.expiresAt === undefined
              ? {}
              : { expiresInS: Math.round((t.expiresAt - Date.now()) / 1000) }),
          },
        }),
      );
      await recorder.step(
        'mailbox',
        async () => {
          const { data } = await session.call('mailbox', () =>
            session.api.users.getProfile({ userId: 'me' }),
          );
          const address = data.emailAddress ?? '';
          if (!sameAddress(address, config.emailAddress))
            throw accountMismatch(address || 'an account without an address', config.emailAddress);
          return { address, messagesTotal: data.messagesTotal ?? 0 };
        },
        ({ address, messagesTotal }) => ({
          summary: `Opened the mailbox of ${address} (${messagesTotal} messages)`,
          facts: { emailAddress: address, messagesTotal },
        }),
      );
      await recorder.step(
        'permission',
        async () => {
          const { data } = await session.call('permission', () =>
            session.api.users.labels.list({ userId: 'me' }),
          );
          if (token.scopes.length > 0 && missingScopes(token.scopes).length > 0)
            throw scopeError('permission', token.scopes);
          return data.labels?.length ?? 0;
        },
        (labels) => ({
          summary:
            token.scopes.length > 0
              ? `May read the mailbox (${labels} labels) and send as it`
              : `Listed ${labels} labels; Google did not say which permissions it granted`,
          facts: { labels },
        }),
      );
    }),
  );
}
