// Graph and Entra ID answers mapped onto core's failure taxonomy. The observation carries the
// service's own words (`<error code>: <message>`); core's signals give stage and hint. Where the
// Graph transport knows more than the generic hint (which permission is missing, that the
// network path is HTTPS to Microsoft), a GraphError narrows the summary or hint.
import {
  explainFailure,
  transportErrorCodes,
  type Failure,
  type FailureObservation,
  type FailureStage,
} from '@email-profiles/core';
import { TransportError, asTransportError, type HttpResponse } from '@email-profiles/transport-net';

type Explanation = Partial<Pick<Failure, 'summary' | 'hint'>>;

export class GraphError extends TransportError {
  constructor(
    observation: FailureObservation,
    private readonly explanation: Explanation = {},
    options?: { cause?: unknown },
  ) {
    super(observation, options);
    this.name = 'GraphError';
  }

  override get failure(): Failure {
    return { ...super.failure, ...this.explanation };
  }
}

/** Mail.Read for reading, Mail.Send for sending, Mail.ReadWrite for the optional clean-up. */
export type MailPermission = 'Mail.Read' | 'Mail.Send' | 'Mail.ReadWrite';

/** The application permissions (token roles) that grant each. */
export const rolesGranting: Record<MailPermission, readonly string[]> = {
  // Mail.ReadBasic.All reads everything but bodies and attachments: all that find code needs.
  'Mail.Read': ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'],
  'Mail.Send': ['Mail.Send'],
  'Mail.ReadWrite': ['Mail.ReadWrite'],
};

export function listPermissions(names: readonly string[]): string {
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

const CONSENT_STEPS =
  'In Entra ID > App registrations > (the app) > API permissions, add it under Microsoft Graph > Application permissions (not Delegated), then click "Grant admin consent".';

export function grantHint(names: readonly MailPermission[]): string {
  const plural = names.length > 1;
  return `Grant the application the Microsoft Graph application permission${plural ? 's' : ''} ${listPermissions(names)}. ${CONSENT_STEPS.replace('add it', plural ? 'add them' : 'add it')}`;
}

const POLICY_NOTE =
  'If an Exchange application access policy restricts the app, add this mailbox to the policy’s group.';

const MAX_BODY_TEXT = 300;

function graphErrorText(response: HttpResponse): string {
  const error = (response.json as { error?: { code?: unknown; message?: unknown } } | undefined)
    ?.error;
  if (typeof error?.code === 'string') {
    return typeof error.message === 'string' && error.message !== ''
      ? `${error.code}: ${error.message}`
      : error.code;
  }
  const text = response.text.trim().slice(0, MAX_BODY_TEXT);
  return text === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${text}`;
}

const ACCESS_POLICY = /AccessPolicy|\[RAOP\]/;
const ACCESS_DENIED =
  /ErrorAccessDenied|Authorization_RequestDenied|AccessDenied|NoPermissionsInAccessToken/;

/**
 * A Graph error response as a GraphError. `need` names the permission the request needs, so an
 * access-denied answer says which one to grant.
 */
export function graphResponseError(
  response: HttpResponse,
  stage: FailureStage,
  need: MailPermission,
): GraphError {
  const serverText = graphErrorText(response);
  const { status } = response;
  const denied = status === 403 || (status === 401 && ACCESS_DENIED.test(serverText));
  const observation: FailureObservation = {
    stage: denied ? 'permission' : status === 401 ? 'auth' : stage,
    protocol: 'graph',
    httpStatus: status,
    serverText,
  };
  if (denied && ACCESS_POLICY.test(serverText)) {
    return new GraphError(observation, {
      summary: 'An Exchange application access policy keeps the application out of this mailbox.',
      hint: 'Add this mailbox to the mail-enabled security group the policy names (Exchange Online PowerShell: Get-ApplicationAccessPolicy, then Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <client ID>). Changes can take up to an hour to apply.',
    });
  }
  if (denied) {
    return new GraphError(observation, {
      summary: `The application may not use this mailbox: Microsoft Graph denied ${need}.`,
      hint: `${grantHint([need])} ${POLICY_NOTE}`,
    });
  }
  if (status === 401) {
    return new GraphError(observation, {
      summary: 'Microsoft Graph did not accept the access token.',
      hint: 'Try again: a new token is requested. If it persists, check that the Microsoft cloud chosen in the profile is the tenant’s cloud.',
    });
  }
  return new GraphError(observation);
}

/**
 * An error answer of the token endpoint: `{"error":"invalid_client","error_description":
 * "AADSTS7000215: ...", "error_codes":[7000215], ...}`.
 */
export function tokenResponseError(response: HttpResponse): GraphError {
  const body = response.json as { error?: unknown; error_description?: unknown } | undefined;
  let serverText: string;
  if (typeof body?.error === 'string') {
    serverText =
      typeof body.error_description === 'string'
        ? `${body.error}: ${body.error_description}`
        : body.error;
  } else {
    const text = response.text.trim().slice(0, MAX_BODY_TEXT);
    serverText = text === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${text}`;
  }
  const observation: FailureObservation = {
    stage: 'auth',
    protocol: 'graph',
    httpStatus: response.status,
    serverText,
  };
  // Known AADSTS codes and throttling carry their own hints; anything else is about the IDs.
  return new GraphError(
    observation,
    explainFailure(observation).signal === undefined
      ? {
          summary: 'Microsoft Entra ID did not issue an access token.',
          hint: 'Check the Directory (tenant) ID, the Application (client) ID, the client secret Value and the Microsoft cloud in the profile.',
        }
      : {},
  );
}

/** A 2xx answer that is not what the API documents (not JSON, fields missing). */
export function unexpectedAnswer(stage: FailureStage, what: string): GraphError {
  return new GraphError(
    { stage, protocol: 'graph', errorCode: transportErrorCodes.protocolViolation, message: what },
    {
      hint: 'The answer did not come from Microsoft Graph or Entra ID as documented. If the profile uses custom endpoints (a proxy), check that they forward to Microsoft unchanged.',
    },
  );
}

const NETWORK_STAGES = new Set<FailureStage>(['dns', 'tcp', 'tls']);

/** Network failures (from transport-net) with a hint about HTTPS to Microsoft, not mail ports. */
export function asGraphError(error: unknown, stage: FailureStage): TransportError {
  if (error instanceof GraphError) return error;
  const transportError = asTransportError(error, stage, { protocol: 'graph' });
  const { observation } = transportError;
  const failure = transportError.failure;
  if (!NETWORK_STAGES.has(failure.stage)) return transportError;
  const host = observation.host ?? 'the Microsoft endpoint';
  const hint =
    failure.stage === 'tls'
      ? `The HTTPS connection to ${host} failed its certificate or TLS checks (see the server text). If a device on the network inspects HTTPS, the actor must trust its CA (for Node: NODE_EXTRA_CA_CERTS); do not turn verification off.`
      : `The actor could not reach ${host} over HTTPS. Check the actor host's DNS, firewall and outbound proxy rules for ${host} (port 443), and that the right Microsoft cloud is chosen.`;
  return new GraphError(observation, { hint }, { cause: error });
}
