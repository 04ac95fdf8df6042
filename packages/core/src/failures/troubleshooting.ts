// The troubleshooting guide (docs/troubleshooting.md), generated from the failure taxonomy so
// every summary and hint the product can show is documented once. Regenerate with
//   pnpm --filter @email-profiles/core docs:troubleshooting
// A test fails when the committed file differs from what this renders.
import { reduceActor } from '../verification/machine.js';
import type { ActorVerification, Attempt } from '../verification/state.js';
import { signalExamples } from './examples.js';
import { graphExplanations, type GraphExplanation } from './graph.js';
import { productFailures } from './product.js';
import {
  explainFailure,
  failureStageLabels,
  failureOriginLabels,
  failureOriginSchema,
  failureStageSchema,
  knownSignals,
  type FailureOrigin,
  type Failure,
  type FailureObservation,
  type FailureStage,
} from './taxonomy.js';

export const TROUBLESHOOTING_PATH = 'docs/troubleshooting.md';
export const TROUBLESHOOTING_COMMAND = 'pnpm --filter @email-profiles/core docs:troubleshooting';

const ORIGIN_MEANINGS: Record<FailureOrigin, string> = {
  director:
    'the Director could not send the coded email through its own Email Settings. No actor was involved: the profiles table shows it once for the profile, with links to Email Settings and Send test email; manual mode (send the email yourself) verifies the actors meanwhile.',
  actor:
    'an actor could not reach, log in to or read the mailbox. The Why? dialog of that actor, and the connectivity check from it, show each step.',
  delivery:
    "the Director's server accepted the email, but the actor did not find it in time: it was delayed, filtered or delivered elsewhere.",
};

const INTRO = `# Troubleshooting

<!-- Generated from packages/core/src/failures (the failure taxonomy). Do not edit by hand: run
\`${TROUBLESHOOTING_COMMAND}\`. -->

When a verification or a connectivity check fails, Email Profiles shows, for each actor, the
**stage** where it failed (DNS lookup, TCP connection, TLS handshake, login, …), one sentence
saying what happened, the server's own words where there are any, and a hint. This page lists
every one of those messages, grouped by stage, in the order the product tries them.

Each entry says:

- **What you see**: the sentence shown, and a typical server answer or error code that leads to it.
- **What it means**: whether retrying later can help on its own (temporary) or something has to
  change first.
- **What to do**: the hint shown in the product. Hints name concrete places (ports, admin
  consoles, settings); none of them asks you to turn certificate verification off.

Every failure also has an **origin**, the link of the chain where it happened, and the product
shows it first:

${failureOriginSchema.options.map((origin) => `- **${failureOriginLabels[origin]}** (\`${origin}\`): ${ORIGIN_MEANINGS[origin]}`).join('\n')}

A hint is worded for where it is shown: when the Director failed, it names the Director's host and
its Email Settings, never an actor or a profile. Entries whose hint differs say so under "When the
Director sent".

The identifier after each title (e.g. \`smtp-535-5.7.139\`) is the signal the product matched; it
is recorded with the failure in the verification history and in the Director's logs. Server words
are shown as the server sent them, trimmed to 1,000 characters and stripped of control characters.
`;

/** What reaching (and failing at) each stage tells, before the individual messages. */
const STAGE_MEANINGS: Record<FailureStage, string> = {
  config:
    'The profile or the application registration behind it is not usable as configured: nothing was wrong with the network, the settings themselves are.',
  dns: "The actor (or, for its own sending, the Director) could not turn the server name into an address. Nothing was sent to the mail server yet; that host's own DNS configuration is the first suspect.",
  tcp: 'There was an address but no connection could be opened to it: a firewall, a wrong port or a stopped service. No data was exchanged.',
  tls: 'A connection was open but the encrypted channel could not be set up, or the server could not prove its identity. No password had been sent yet: login comes after the encrypted channel is up.',
  greeting:
    'The connection was open but what answered did not behave like the expected mail server (wrong port, wrong encryption setting, or not a mail server).',
  auth: 'The server (or Microsoft Entra ID / Google) answered and refused the credentials or the authentication method.',
  mailbox: 'Login worked, but the mailbox could not be opened.',
  search: 'The mailbox was open, but looking for the verification email failed.',
  send: "The Director's outgoing server refused the verification email.",
  timeout:
    'Something did not happen before the verification deadline: the email did not arrive, or an actor did not do its part in time.',
  consent:
    'The mailbox owner or an administrator has not authorised the application, or the authorisation is no longer valid.',
  permission:
    'The account or application is known and logged in, but is not allowed to use this mailbox.',
  throttled: 'The service asked the client (an actor, or the Director sending) to slow down.',
};

type Entry = {
  stage: FailureStage | 'any';
  /** The heading, when it is not the title. */
  heading?: string;
  title: string;
  id?: string;
  source?: string;
  seen?: string;
  transient: boolean;
  hint: string;
  /** The hint when the Director did the operation, where it differs. */
  directorHint?: string;
};

const TRANSIENT = 'Temporary: trying again later can succeed without any change.';
const LASTING = 'Lasting: it fails the same way until the cause is fixed.';

/** Markdown-safe prose: no raw HTML, no accidental emphasis. */
function prose(text: string): string {
  return text.replace(/[<*]/g, (character) => `\\${character}`);
}

function code(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

function seenIn(o: FailureObservation): string | undefined {
  const parts: string[] = [];
  if (o.serverText !== undefined) parts.push(`server answer ${code(o.serverText)}`);
  else if (o.message !== undefined) parts.push(`error ${code(o.message)}`);
  if (o.errorCode !== undefined) parts.push(`error code ${code(o.errorCode)}`);
  if (o.httpStatus !== undefined) parts.push(`HTTP status ${o.httpStatus}`);
  return parts.length === 0 ? undefined : `Typically ${parts.join(', ')}.`;
}

function signalEntries(): Entry[] {
  return knownSignals.map((signal) => {
    const example = signalExamples[signal.id];
    if (typeof signal.hint === 'function' && example === undefined) {
      throw new Error(
        `Signal ${signal.id} has a hint that depends on the observation: add a representative observation to signalExamples (failures/examples.ts)`,
      );
    }
    const observed = example ?? { stage: signal.stage ?? 'config' };
    const hint = typeof signal.hint === 'function' ? signal.hint(observed) : signal.hint;
    const entry: Entry = {
      stage: signal.stage ?? 'any',
      title: signal.summary,
      id: signal.id,
      transient: signal.transient ?? false,
      hint,
    };
    const directorHint =
      typeof signal.hint === 'function' ? signal.hint({ ...observed, origin: 'director' }) : hint;
    if (directorHint !== hint) entry.directorHint = directorHint;
    const seen = example && seenIn(example);
    if (seen !== undefined) entry.seen = seen;
    return entry;
  });
}

/** What a stage reports when no known signal matches. */
function genericEntries(): Entry[] {
  return failureStageSchema.options.map((stage) => {
    const failure = explainFailure({ stage });
    const directorHint = explainFailure({ stage, origin: 'director' }).hint;
    return {
      stage,
      heading: `Any other failure (${failureStageLabels[stage]})`,
      title: failure.summary,
      transient: failure.transient,
      hint: failure.hint,
      ...(directorHint === failure.hint ? {} : { directorHint }),
    };
  });
}

const ATTEMPT: Attempt = {
  id: 'attempt',
  mode: 'automatic',
  code: 'EP-AAAA-BBBB',
  requestedAt: '2026-01-01T00:00:00.000Z',
  deadlineAt: '2026-01-01T00:02:00.000Z',
  retries: 0,
};

/** The failures the verification machine itself records when an attempt's deadline passes. */
function timeoutEntries(): Entry[] {
  const at = '2026-01-01T00:02:00.000Z';
  const cases: { when: string; state: ActorVerification }[] = [
    {
      when: 'automatic mode, the email was not sent before the deadline',
      state: { status: 'requested', attempt: ATTEMPT },
    },
    {
      when: 'manual mode, the actor never started checking',
      state: { status: 'requested', attempt: { ...ATTEMPT, mode: 'manual' } },
    },
    {
      when: 'the email was sent but the actor never started checking',
      state: { status: 'sent', attempt: ATTEMPT, sentAt: at },
    },
  ];
  const seen = new Set<string>();
  return cases.flatMap(({ when, state }) => {
    const next = reduceActor(state, { type: 'timed_out', attemptId: ATTEMPT.id, at });
    if (!next.ok || next.state.status !== 'failed') {
      throw new Error(`A deadline in state ${state.status} did not fail the attempt`);
    }
    const failure: Failure = next.state.failure;
    const key = `${failure.summary}\n${failure.hint}`;
    // Checking timeouts are the code-not-found signal, already listed with the signals.
    if (failure.signal !== undefined || seen.has(key)) return [];
    seen.add(key);
    return [
      {
        stage: failure.stage,
        title: failure.summary,
        source: `deadline passed: ${when}`,
        transient: failure.transient,
        hint: failure.hint,
      },
    ];
  });
}

/** What the Microsoft Graph transport says over core's signals, with representative inputs. */
function graphEntries(): Entry[] {
  const graph = (
    stage: Entry['stage'],
    source: string,
    explanation: GraphExplanation,
    fallback: Failure,
    seen?: string,
  ): Entry => {
    const entry: Entry = {
      stage,
      title: explanation.summary ?? fallback.summary,
      source: `Microsoft Graph: ${source}`,
      transient: fallback.transient,
      hint: explanation.hint ?? fallback.hint,
    };
    if (seen !== undefined) entry.seen = seen;
    return entry;
  };
  const generic = (stage: FailureStage) => explainFailure({ stage, protocol: 'graph' });
  const host = 'login.microsoftonline.com';
  return [
    graph(
      'permission',
      'an application access policy',
      graphExplanations.accessPolicy,
      generic('permission'),
      `Typically HTTP status 403 with ${code('ErrorAccessDenied: Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.')}.`,
    ),
    graph(
      'permission',
      'a request denied (here: reading the Inbox)',
      graphExplanations.denied('Mail.Read'),
      generic('permission'),
      'Typically HTTP status 403.',
    ),
    graph(
      'permission',
      'the connectivity check finds permissions missing from the token',
      graphExplanations.missingPermissions(['Mail.Read', 'Mail.Send']),
      generic('permission'),
      `Typically ${code('Application permissions in the access token (roles): none')}.`,
    ),
    graph(
      'auth',
      'the access token is refused',
      graphExplanations.tokenRejected,
      generic('auth'),
      'Typically HTTP status 401.',
    ),
    graph(
      'auth',
      'Entra ID refuses the token request (no known AADSTS code)',
      graphExplanations.tokenNotIssued,
      generic('auth'),
      'Typically HTTP status 400 or 401 from the token endpoint.',
    ),
    graph(
      'any',
      'an answer that is not what the API documents',
      graphExplanations.unexpectedAnswer,
      explainFailure({ stage: 'mailbox', errorCode: 'PROTOCOL_VIOLATION' }),
    ),
    graph(
      'tls',
      `HTTPS to ${host} fails its certificate checks`,
      graphExplanations.httpsTls(host),
      generic('tls'),
    ),
    graph(
      'tcp',
      `DNS or TCP to ${host} fails`,
      graphExplanations.httpsUnreachable(host),
      generic('tcp'),
    ),
  ];
}

/** What the Director and the actor record themselves. */
function productEntries(): Entry[] {
  const entry = (source: string, failure: Failure): Entry => ({
    stage: failure.stage,
    title: failure.summary,
    source,
    transient: failure.transient,
    hint: failure.hint,
  });
  return [
    entry('the actor could not run a task at all', productFailures.actorCrashed()),
    entry(
      "automatic mode, the Director's mail settings were deleted after Verify",
      productFailures.mailSettingsRemoved(),
    ),
    entry(
      'a connectivity check whose actor never reported back',
      productFailures.diagnosticsTimedOut(),
    ),
    entry(
      "an actor reported the code found, in a subject that does not carry the attempt's code",
      productFailures.actorReportedWrongMessage(),
    ),
    entry('a connectivity check whose actor was revoked', productFailures.actorRevoked()),
    entry(
      "the Director's mail settings use the Gmail API without consent (here: sender@example.com)",
      productFailures.gmailConsentMissing('sender@example.com'),
    ),
  ];
}

function renderEntry(entry: Entry, headings: Set<string>): string {
  const tag = [entry.id && code(entry.id), entry.source && prose(entry.source)]
    .filter(Boolean)
    .join(' · ');
  const seen = entry.seen === undefined ? '' : ` ${entry.seen}`;
  // Headings are anchors: a summary shown in two situations gets the situation added.
  let heading = prose(entry.heading ?? entry.title);
  if (headings.has(heading)) heading = `${heading} (${prose(entry.source ?? entry.id ?? '')})`;
  headings.add(heading);
  return [
    `### ${heading}`,
    '',
    ...(tag === '' ? [] : [tag, '']),
    `- **What you see:** “${prose(entry.title)}”${seen}`,
    `- **What it means:** ${entry.transient ? TRANSIENT : LASTING}`,
    `- **What to do:** ${prose(entry.hint)}`,
    ...(entry.directorHint === undefined
      ? []
      : [`- **When the Director sent:** ${prose(entry.directorHint)}`]),
    '',
  ].join('\n');
}

/** The whole guide, as committed in docs/troubleshooting.md. */
export function troubleshootingGuide(): string {
  const entries = [...signalEntries(), ...timeoutEntries(), ...productEntries(), ...graphEntries()];
  const generic = genericEntries();
  const sections: string[] = [INTRO];
  const headings = new Set<string>();
  for (const stage of failureStageSchema.options) {
    sections.push(`## ${failureStageLabels[stage]}\n`, `${STAGE_MEANINGS[stage]}\n`);
    for (const entry of entries.filter((candidate) => candidate.stage === stage)) {
      sections.push(renderEntry(entry, headings));
    }
    for (const entry of generic.filter((candidate) => candidate.stage === stage)) {
      sections.push(renderEntry(entry, headings));
    }
  }
  sections.push(
    '## At any stage\n',
    'These can happen wherever the actor was; the stage shown is the one it had reached.\n',
  );
  for (const entry of entries.filter((candidate) => candidate.stage === 'any')) {
    sections.push(renderEntry(entry, headings));
  }
  return `${sections.join('\n').trimEnd()}\n`;
}
