// Graph and Entra ID answers mapped onto core's failure taxonomy. The observation carries the
// service's own words (`<error code>: <message>`); core's signals give stage and hint. Where the
// Graph transport knows more than the generic hint (which permission is missing, that the
// network path is HTTPS to Microsoft), a GraphError narrows the summary or hint.
import {
  explainFailure,
  graphExplanations,
  transportErrorCodes,
  type Failure,
  type FailureObservation,
  type FailureStage,
  type GraphExplanation,
  type MailPermission,
} from '@email-profiles/core';
import { TransportError, asTransportError, type HttpResponse } from '@email-profiles/transport-net';

export class GraphError extends TransportError {
  constructor(
    observation: FailureObservation,
    private readonly explanation: GraphExplanation = {},
    options?: { cause?: unknown },
  ) {
    super(observation, options);
    this.name = 'GraphError';
  }

  override get failure(): Failure {
    return { ...super.failure, ...this.explanation };
  }
}

export type { MailPermission } from '@email-profiles/core';

/** The application permissions (token roles) that grant each. */
export const rolesGranting: Record<MailPermission, readonly string[]> = {
  // Mail.ReadBasic.All reads everything but bodies and attachments: all that find code needs.
  'Mail.Read': ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'],
  'Mail.Send': ['Mail.Send'],
  'Mail.ReadWrite': ['Mail.ReadWrite'],
};

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
    return new GraphError(observation, graphExplanations.accessPolicy);
  }
  if (denied) return new GraphError(observation, graphExplanations.denied(need));
  if (status === 401) return new GraphError(observation, graphExplanations.tokenRejected);
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
    explainFailure(observation).signal === undefined ? graphExplanations.tokenNotIssued : {},
  );
}

/** A 2xx answer that is not what the API documents (not JSON, fields missing). */
export function unexpectedAnswer(stage: FailureStage, what: string): GraphError {
  return new GraphError(
    { stage, protocol: 'graph', errorCode: transportErrorCodes.protocolViolation, message: what },
    graphExplanations.unexpectedAnswer,
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
  const explanation =
    failure.stage === 'tls'
      ? graphExplanations.httpsTls(host, observation.origin)
      : graphExplanations.httpsUnreachable(host, observation.origin);
  return new GraphError(observation, explanation, { cause: error });
}
