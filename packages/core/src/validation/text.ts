// The one place that says which characters may appear where: on a protocol line (IMAP, POP3,
// SMTP), in a mail header, in a name shown to operators, and in text an actor reports.
import { z } from 'zod';

/* eslint-disable no-control-regex */
/** CR, LF and NUL: what ends (or truncates) a command line of a line protocol. */
const LINE_BREAK_OR_NUL = /[\r\n\0]/;
/** C0 controls (tab, CR, LF, NUL included), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Line and paragraph separators: line breaks to many viewers and log readers. */
const SEPARATOR = /[\u2028\u2029]/;
/** Text-direction marks, embeddings, overrides and isolates (the "gnp.exe" trick). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Zero-width characters: two names that look the same but differ. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;
/* eslint-enable no-control-regex */

/** Whether a value would break a protocol line: it holds a CR, LF or NUL. */
export function hasLineBreakOrNul(value: string): boolean {
  return LINE_BREAK_OR_NUL.test(value);
}

/** Whether a value holds a control character (C0, DEL, C1): never allowed in a mail header. */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value) || SEPARATOR.test(value);
}

/**
 * What is wrong with a value that goes onto a protocol line, e.g. "The password cannot contain
 * line breaks or NUL characters", or undefined when it is safe.
 */
export function lineValueProblem(value: string, field: string): string | undefined {
  return hasLineBreakOrNul(value) ? lineBreakMessage(field) : undefined;
}

function lineBreakMessage(field: string): string {
  return `The ${field} cannot contain line breaks or NUL characters`;
}

/** The arguments of `.refine` for a value that goes onto a protocol line. */
export function lineSafe(field: string): [(value: string) => boolean, string] {
  return [(value) => !hasLineBreakOrNul(value), lineBreakMessage(field)];
}

/**
 * What is wrong with a name shown to operators (actor, zone, sender name), or undefined: no
 * control characters (line breaks, tabs, NUL), no text-direction overrides, no invisible
 * zero-width characters. `what` begins the message, e.g. "A name".
 */
export function nameCharacterProblem(value: string, what = 'A name'): string | undefined {
  if (CONTROL.test(value) || SEPARATOR.test(value)) {
    return `${what} cannot contain line breaks, tabs or other control characters`;
  }
  if (BIDI.test(value)) {
    return `${what} cannot contain text-direction characters (such as U+202E), which can disguise it`;
  }
  if (ZERO_WIDTH.test(value)) {
    return `${what} cannot contain invisible zero-width characters (such as U+200B)`;
  }
  return undefined;
}

/* eslint-disable no-control-regex */
const REPORTED_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const REPORTED_INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
/* eslint-enable no-control-regex */

/**
 * Makes text from outside (a server's words, what an actor reports) inert for display and logs:
 * CR LF and lone CR become LF, other control characters become a space, direction overrides and
 * zero-width characters are removed, and text over `limit` characters is cut with "…". Tab and
 * line feed stay. Idempotent: cleaning clean text changes nothing.
 */
export function inertText(raw: string, limit: number): string {
  const cleaned = raw
    .replace(/\r\n?/g, '\n')
    .replace(REPORTED_CONTROLS, ' ')
    .replace(REPORTED_INVISIBLE, '');
  if (cleaned.length <= limit) return cleaned;
  // Never cut a surrogate pair in two.
  let end = limit - 1;
  const last = cleaned.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${cleaned.slice(0, end)}…`;
}

/**
 * A schema for text an actor reports (server words, failure detail, step summaries): any string
 * is accepted and stored inert (see `inertText`), cut to `limit` characters rather than refused,
 * so one long server reply never costs an actor its whole result.
 */
export function reportedTextSchema(limit: number) {
  return z.string().transform((value) => inertText(value, limit));
}
