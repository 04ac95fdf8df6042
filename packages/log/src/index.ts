// Structured logging (pino) that redacts every secret field wherever it appears in a log object.
// The field names come from core's secret marks, not from a list kept here.
import { pino, type Logger } from 'pino';
import {
  directorMailSettingsSchema,
  emailProfileSchema,
  secretFieldsOf,
} from '@email-profiles/core';

/** Names of secret fields in the schemas, plus the credentials of HTTP itself. */
export const redactedKeys: readonly string[] = [
  ...new Set([
    ...emailProfileSchema.options.flatMap((variant) => secretFieldsOf(variant)),
    ...directorMailSettingsSchema.options.flatMap((variant) => secretFieldsOf(variant)),
    'authorization',
    'cookie',
    'token',
    'masterKey',
  ]),
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const paths = redactedKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);
  return pino({ level, redact: { paths, censor: '[redacted]' } }, destination ?? process.stdout);
}
