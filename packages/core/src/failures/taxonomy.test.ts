import { describe, expect, it } from 'vitest';
import {
  SERVER_TEXT_LIMIT,
  cleanServerText,
  explainFailure,
  failureSchema,
  failureStageSchema,
  knownSignals,
  transportErrorCodes,
  type FailureObservation,
  type FailureStage,
} from './taxonomy.js';
import { signalExamples } from './examples.js';
import { graphExplanations, type GraphExplanation } from './graph.js';
import { productFailures } from './product.js';

const cases: [FailureObservation, string, FailureStage][] = [
  [{ stage: 'dns', errorCode: 'ENOTFOUND', host: 'imap.example.test' }, 'dns-not-found', 'dns'],
  [{ stage: 'dns', errorCode: 'EAI_AGAIN' }, 'dns-temporary', 'dns'],
  [{ stage: 'tcp', errorCode: 'ECONNREFUSED', host: '127.0.0.1', port: 993 }, 'tcp-refused', 'tcp'],
  [{ stage: 'tcp', errorCode: 'ETIMEDOUT', host: '10.1.1.1', port: 993 }, 'tcp-timeout', 'tcp'],
  [{ stage: 'tcp', errorCode: 'EHOSTUNREACH' }, 'tcp-unreachable', 'tcp'],
  [
    {
      stage: 'tls',
      errorCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
      message: 'ssl3_get_record:wrong version number',
    },
    'tls-wrong-version',
    'tls',
  ],
  [
    {
      stage: 'tls',
      message: 'C0B7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    },
    'tls-wrong-version',
    'tls',
  ],
  [
    { stage: 'tls', errorCode: transportErrorCodes.fingerprintMismatch },
    'tls-fingerprint-mismatch',
    'tls',
  ],
  [{ stage: 'tls', errorCode: 'CERT_HAS_EXPIRED' }, 'tls-expired', 'tls'],
  [{ stage: 'tls', errorCode: 'CERT_NOT_YET_VALID' }, 'tls-not-yet-valid', 'tls'],
  [{ stage: 'tls', errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls-hostname-mismatch', 'tls'],
  [{ stage: 'tls', errorCode: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'tls-untrusted', 'tls'],
  [{ stage: 'tls', errorCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls-untrusted', 'tls'],
  [{ stage: 'tls', errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'tls-untrusted', 'tls'],
  [{ stage: 'tls', message: 'sslv3 alert handshake failure' }, 'tls-handshake-failure', 'tls'],
  [
    { stage: 'greeting', protocol: 'smtp', errorCode: transportErrorCodes.starttlsNotOffered },
    'starttls-not-offered',
    'tls',
  ],
  [
    {
      stage: 'greeting',
      errorCode: transportErrorCodes.stageTimeout,
      host: '127.0.0.1',
      port: 993,
    },
    'greeting-timeout',
    'greeting',
  ],
  [{ stage: 'tls', errorCode: 'ECONNRESET' }, 'connection-reset', 'tls'],
  [{ stage: 'auth', errorCode: transportErrorCodes.stageTimeout }, 'no-answer', 'auth'],
  [
    {
      stage: 'auth',
      protocol: 'smtp',
      serverText:
        '535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN0PR04CA0094.namprd04.prod.outlook.com]',
    },
    'smtp-535-5.7.139',
    'auth',
  ],
  [
    { stage: 'auth', protocol: 'smtp', serverText: '535 5.7.3 Authentication unsuccessful' },
    'smtp-535-5.7.3',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'smtp',
      serverText:
        '535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials',
    },
    'smtp-535-5.7.8',
    'auth',
  ],
  [
    {
      stage: 'send',
      protocol: 'smtp',
      serverText: '530 5.7.57 Client not authenticated to send mail.',
    },
    'smtp-5.7.57',
    'auth',
  ],
  [
    {
      stage: 'send',
      protocol: 'smtp',
      serverText: '530 5.7.0 Must issue a STARTTLS command first',
    },
    'smtp-530',
    'auth',
  ],
  [
    { stage: 'auth', protocol: 'smtp', serverText: '535 Error: authentication failed' },
    'smtp-535',
    'auth',
  ],
  [
    {
      stage: 'send',
      protocol: 'smtp',
      serverText: '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
    },
    'smtp-send-as-denied',
    'send',
  ],
  [
    {
      stage: 'send',
      protocol: 'smtp',
      serverText: '554 5.7.1 <x@other.test>: Relay access denied',
    },
    'smtp-relay-denied',
    'send',
  ],
  [
    { stage: 'send', protocol: 'smtp', serverText: '554 5.6.0 Message rejected by policy' },
    'smtp-554',
    'send',
  ],
  [
    {
      stage: 'auth',
      protocol: 'imap',
      serverText:
        'A1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.',
    },
    'imap-privacy-required',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'imap',
      serverText: 'A1 NO [AUTHENTICATIONFAILED] Authentication failed.',
    },
    'imap-authentication-failed',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'imap',
      serverText: 'A1 NO [UNAVAILABLE] Temporary authentication failure',
    },
    'imap-unavailable',
    'auth',
  ],
  [
    { stage: 'mailbox', protocol: 'imap', serverText: 'A3 NO [NOPERM] Permission denied' },
    'imap-no-permission',
    'permission',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'imap',
      serverText: 'A3 NO [NONEXISTENT] Mailbox does not exist',
    },
    'imap-nonexistent',
    'mailbox',
  ],
  [
    {
      stage: 'auth',
      protocol: 'pop3',
      serverText: '-ERR [IN-USE] Mailbox is locked by another POP3 session.',
    },
    'pop3-in-use',
    'mailbox',
  ],
  [
    { stage: 'auth', protocol: 'pop3', serverText: '-ERR [AUTH] Authentication failed.' },
    'pop3-auth',
    'auth',
  ],
  [
    { stage: 'mailbox', protocol: 'pop3', serverText: '-ERR [SYS/TEMP] Internal error' },
    'pop3-temporary',
    'mailbox',
  ],
  [
    {
      stage: 'auth',
      protocol: 'imap',
      errorCode: transportErrorCodes.mechanismNotOffered,
      mechanism: 'NTLM',
      offered: ['PLAIN', 'LOGIN'],
    },
    'auth-mechanism-not-offered',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'graph',
      httpStatus: 400,
      serverText: "AADSTS90002: Tenant 'contoso.example' not found.",
    },
    'aadsts90002',
    'config',
  ],
  [
    {
      stage: 'auth',
      protocol: 'graph',
      httpStatus: 400,
      serverText:
        "AADSTS700016: Application with identifier '3f25...' was not found in the directory",
    },
    'aadsts700016',
    'config',
  ],
  [
    {
      stage: 'auth',
      protocol: 'graph',
      httpStatus: 401,
      serverText: 'AADSTS7000215: Invalid client secret provided.',
    },
    'aadsts7000215',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'graph',
      httpStatus: 401,
      serverText: "AADSTS7000222: The provided client secret keys for app '3f25...' are expired.",
    },
    'aadsts7000222',
    'auth',
  ],
  [
    {
      stage: 'auth',
      protocol: 'graph',
      httpStatus: 400,
      serverText: 'AADSTS65001: The user or administrator has not consented to use the application',
    },
    'aadsts65001',
    'consent',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'graph',
      httpStatus: 403,
      serverText:
        '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}',
    },
    'graph-access-denied',
    'permission',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'graph',
      httpStatus: 404,
      serverText:
        '{"error":{"code":"ErrorInvalidUser","message":"The requested user is invalid."}}',
    },
    'graph-mailbox-not-found',
    'mailbox',
  ],
  [
    {
      stage: 'auth',
      protocol: 'gmail',
      httpStatus: 400,
      serverText:
        '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
    },
    'google-invalid-grant',
    'consent',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'gmail',
      httpStatus: 403,
      serverText: 'Request had insufficient authentication scopes. ACCESS_TOKEN_SCOPE_INSUFFICIENT',
    },
    'google-insufficient-scope',
    'consent',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'gmail',
      httpStatus: 403,
      serverText:
        'Gmail API has not been used in project 1234 before or it is disabled. SERVICE_DISABLED',
    },
    'google-api-disabled',
    'config',
  ],
  [
    {
      stage: 'auth',
      protocol: 'gmail',
      httpStatus: 401,
      serverText: '{"error":"invalid_client","error_description":"Unauthorized"}',
    },
    'google-invalid-client',
    'auth',
  ],
  [
    { stage: 'auth', protocol: 'gmail', errorCode: transportErrorCodes.noRefreshToken },
    'google-no-refresh-token',
    'consent',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'gmail',
      errorCode: transportErrorCodes.accountMismatch,
      message: 'Google authorised other@example.com, the profile is for box@example.com',
    },
    'google-account-mismatch',
    'consent',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'gmail',
      httpStatus: 404,
      serverText: 'NOT_FOUND (notFound): Requested entity was not found.',
    },
    'google-mailbox-not-found',
    'mailbox',
  ],
  [
    {
      stage: 'mailbox',
      protocol: 'gmail',
      httpStatus: 400,
      serverText: 'FAILED_PRECONDITION (failedPrecondition): Mail service not enabled',
    },
    'google-mailbox-not-found',
    'mailbox',
  ],
  [
    { stage: 'search', protocol: 'graph', httpStatus: 429, serverText: 'ApplicationThrottled' },
    'throttled',
    'throttled',
  ],
  [{ stage: 'search', protocol: 'gmail', httpStatus: 503 }, 'throttled', 'throttled'],
  [
    { stage: 'search', protocol: 'gmail', httpStatus: 403, serverText: 'userRateLimitExceeded' },
    'throttled',
    'throttled',
  ],
  [{ stage: 'search', errorCode: transportErrorCodes.codeNotFound }, 'code-not-found', 'search'],
  [{ stage: 'search', errorCode: transportErrorCodes.aborted }, 'aborted', 'search'],
  [{ stage: 'search', errorCode: transportErrorCodes.actorOffline }, 'actor-offline', 'timeout'],
  [{ stage: 'search', errorCode: transportErrorCodes.actorLost }, 'actor-lost', 'timeout'],
  [
    { stage: 'greeting', errorCode: transportErrorCodes.responseTooLarge },
    'response-too-large',
    'greeting',
  ],
  [
    {
      stage: 'greeting',
      errorCode: transportErrorCodes.protocolViolation,
      serverText: 'HTTP/1.1 400 Bad Request',
    },
    'protocol-violation',
    'greeting',
  ],
  [
    { stage: 'auth', protocol: 'pop3', errorCode: transportErrorCodes.unsafeCommandLine },
    'unsafe-setting',
    'config',
  ],
];

describe('explainFailure', () => {
  it.each(cases)('%j → %s (%s)', (observation, signal, stage) => {
    const failure = explainFailure(observation);
    expect(failure.signal).toBe(signal);
    expect(failure.stage).toBe(stage);
    expect(failure.hint.length).toBeGreaterThan(20);
    expect(failureSchema.parse(failure)).toEqual(failure);
  });

  it('has a test case for every known signal', () => {
    const tested = new Set(cases.map(([, signal]) => signal));
    expect(knownSignals.map((signal) => signal.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it('gives every known signal a unique id', () => {
    const ids = knownSignals.map((signal) => signal.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the server text and puts the address into hints', () => {
    const failure = explainFailure({
      stage: 'tcp',
      errorCode: 'ECONNREFUSED',
      host: 'imap.example.test',
      port: 143,
      message: 'connect ECONNREFUSED 127.0.0.1:143',
    });
    expect(failure.hint).toContain('imap.example.test:143');
    expect(failure.serverText).toBe('connect ECONNREFUSED 127.0.0.1:143');
    expect(
      explainFailure({ stage: 'dns', errorCode: 'ENOTFOUND', host: 'nx.example.test' }).hint,
    ).toContain('nslookup nx.example.test');
    expect(explainFailure({ stage: 'dns', errorCode: 'ENOTFOUND' }).hint).toContain(
      'nslookup <server>',
    );
  });

  it('lists what the server offers when a mechanism is missing', () => {
    expect(
      explainFailure({
        stage: 'auth',
        errorCode: transportErrorCodes.mechanismNotOffered,
        mechanism: 'NTLM',
        offered: ['PLAIN'],
      }).hint,
    ).toMatch(/does not offer NTLM; it offers PLAIN\./);
    expect(
      explainFailure({ stage: 'auth', errorCode: transportErrorCodes.mechanismNotOffered }).hint,
    ).toMatch(/does not offer this mechanism\./);
  });

  it('marks throttling and temporary errors as transient, others not', () => {
    expect(explainFailure({ stage: 'search', protocol: 'graph', httpStatus: 429 }).transient).toBe(
      true,
    );
    expect(
      explainFailure({ stage: 'auth', protocol: 'imap', serverText: 'NO [AUTHENTICATIONFAILED]' })
        .transient,
    ).toBe(false);
  });

  it('does not confuse protocols: an IMAP text does not match SMTP rules', () => {
    expect(
      explainFailure({ stage: 'auth', protocol: 'imap', serverText: '535 5.7.139' }).signal,
    ).toBeUndefined();
    expect(
      explainFailure({ stage: 'auth', protocol: 'smtp', serverText: 'NO [AUTHENTICATIONFAILED]' })
        .signal,
    ).toBe(undefined);
  });

  it.each(failureStageSchema.options)(
    'falls back to a generic hint for an unknown %s failure',
    (stage) => {
      const failure = explainFailure({ stage, message: '   ' });
      expect(failure).toEqual({
        stage,
        origin: 'actor',
        summary: expect.any(String),
        hint: expect.any(String),
        transient: false,
      });
    },
  );
});

describe('cleanServerText', () => {
  it('removes control characters and keeps line breaks', () => {
    expect(cleanServerText('\u001b[31mred\u0000\r\n-ERR bad\r')).toBe('[31mred \n-ERR bad');
  });

  it('bounds hostile, endless server text', () => {
    const cleaned = cleanServerText('x'.repeat(100_000));
    expect(cleaned).toHaveLength(SERVER_TEXT_LIMIT);
    expect(cleaned.endsWith('…')).toBe(true);
    expect(
      explainFailure({ stage: 'greeting', serverText: 'y'.repeat(5000) }).serverText,
    ).toHaveLength(SERVER_TEXT_LIMIT);
  });
});

describe('origin', () => {
  const namesTheActorSide = /\bactors?\b|\bactor's\b|\bprofiles?\b|\bprofile's\b/i;

  it("is the actor's unless the Director did the operation; a code not found is the mail between", () => {
    expect(explainFailure({ stage: 'auth' }).origin).toBe('actor');
    expect(explainFailure({ stage: 'auth', origin: 'director' }).origin).toBe('director');
    expect(
      explainFailure({ stage: 'search', errorCode: transportErrorCodes.codeNotFound }).origin,
    ).toBe('delivery');
    expect(productFailures.mailSettingsRemoved().origin).toBe('director');
    // Failures stored before origins existed parse as the actor's.
    expect(
      failureSchema.parse({ stage: 'auth', summary: 's', hint: 'h', transient: false }).origin,
    ).toBe('actor');
  });

  it.each(Object.entries(signalExamples))(
    'words the %s hint for the Director without naming an actor or a profile',
    (id, example) => {
      const failure = explainFailure({ ...example, origin: 'director' });
      expect(failure.signal).toBe(id);
      // Never the Director's: it reads no mailbox and is no actor.
      if (['actor-offline', 'actor-lost', 'code-not-found', 'pop3-in-use'].includes(id)) return;
      expect(failure.hint).not.toMatch(namesTheActorSide);
      expect(failure.summary).not.toMatch(namesTheActorSide);
    },
  );

  it.each(failureStageSchema.options)(
    'words the generic %s hint for the Director without naming an actor or a profile',
    (stage) => {
      const failure = explainFailure({ stage, origin: 'director' });
      expect(failure.hint).not.toMatch(namesTheActorSide);
      expect(failure.summary).not.toMatch(namesTheActorSide);
    },
  );

  it('words the Graph explanations for the Director too', () => {
    const texts: GraphExplanation[] = [
      graphExplanations.httpsTls('graph.microsoft.com', 'director'),
      graphExplanations.httpsUnreachable('graph.microsoft.com', 'director'),
      graphExplanations.tokenNotIssued,
      graphExplanations.tokenRejected,
      graphExplanations.unexpectedAnswer,
      graphExplanations.missingPermissions(['Mail.Send']),
      graphExplanations.denied('Mail.Send'),
    ];
    for (const { hint, summary } of texts) {
      expect(hint ?? '').not.toMatch(namesTheActorSide);
      expect(summary ?? '').not.toMatch(namesTheActorSide);
    }
    expect(graphExplanations.httpsUnreachable('graph.microsoft.com').hint).toMatch(/actor's host/);
  });

  it('says where: the TLS trust of Email Settings for the Director, of the profile for an actor', () => {
    const untrusted = { stage: 'tls', errorCode: 'SELF_SIGNED_CERT_IN_CHAIN' } as const;
    expect(explainFailure({ ...untrusted, origin: 'director' }).hint).toMatch(
      /the Director does not trust\. In the TLS trust settings of the Director's Email Settings/,
    );
    expect(explainFailure(untrusted).hint).toMatch(
      /this actor does not trust\. In the TLS trust settings of the profile/,
    );
  });
});

describe("the seed's network advice (interfaces on one subnet, set up by DHCP)", () => {
  const observations = [
    [
      'a name that does not resolve',
      { stage: 'dns', errorCode: 'ENOTFOUND', host: 'mail.example.test' },
    ],
    ['a DNS server that does not answer', { stage: 'dns', errorCode: 'EAI_AGAIN' }],
    [
      'no answer to the connection',
      { stage: 'tcp', errorCode: 'ETIMEDOUT', host: 'mail.example.test', port: 993 },
    ],
    ['no route to the server', { stage: 'tcp', errorCode: 'EHOSTUNREACH' }],
    ['another DNS failure', { stage: 'dns', errorCode: 'ESERVFAIL' }],
    ['another connection failure', { stage: 'tcp', errorCode: 'ENOBUFS' }],
  ] as const;

  it.each(observations)('is in the hint of %s from an actor, not from the Director', (_, o) => {
    expect(explainFailure(o).hint).toContain(
      'several network interfaces on one subnet set up by DHCP',
    );
    expect(explainFailure({ ...o, origin: 'director' }).hint).not.toContain('DHCP');
  });

  it('is not in the hint of a refused connection, which names the port and the service', () => {
    const refused = explainFailure({
      stage: 'tcp',
      errorCode: 'ECONNREFUSED',
      host: 'mail.example.test',
      port: 993,
    });
    expect(refused.hint).toContain('Check the port number');
    expect(refused.hint).not.toContain('DHCP');
  });
});
