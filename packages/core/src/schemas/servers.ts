// Mail server connection settings: addresses, ports, encryption, authentication, TLS trust.
import { z } from 'zod';
import { portSchema, serverAddressSchema } from '../validation/fields.js';

/** `ssl` is implicit TLS from the first byte ("SSL/TLS"); `starttls` upgrades a plain connection. */
export const encryptionSchema = z.enum(['off', 'ssl', 'starttls'], {
  error: 'Choose Off, SSL/TLS or STARTTLS',
});
export type Encryption = z.infer<typeof encryptionSchema>;

export const encryptionLabels: Record<Encryption, string> = {
  off: 'Off',
  ssl: 'SSL/TLS',
  starttls: 'STARTTLS',
};

/** How a profile's account logs in to its mail servers (the seed offers Plain and NTLM). */
export const authTypeSchema = z.enum(['plain', 'ntlm'], { error: 'Choose Plain or NTLM' });
export type AuthType = z.infer<typeof authTypeSchema>;

export const authTypeLabels: Record<AuthType, string> = { plain: 'Plain', ntlm: 'NTLM' };

export type MailProtocol = 'smtp' | 'imap' | 'pop3';

const DEFAULT_PORTS: Record<MailProtocol, Record<Encryption, number>> = {
  smtp: { ssl: 465, starttls: 587, off: 25 },
  imap: { ssl: 993, starttls: 143, off: 143 },
  pop3: { ssl: 995, starttls: 110, off: 110 },
};

export function defaultPort(protocol: MailProtocol, encryption: Encryption): number {
  return DEFAULT_PORTS[protocol][encryption];
}

/**
 * How a TLS server certificate is trusted: the system CAs (default), a pinned SHA-256 certificate
 * fingerprint, or a custom CA in PEM. There is deliberately no "do not verify" option.
 */
export const tlsTrustSchema = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('system') }),
    z.object({
      mode: z.literal('fingerprint'),
      sha256: z
        .string({ error: 'Enter the certificate SHA-256 fingerprint' })
        .trim()
        .transform((value) => value.replace(/[:\s]/g, '').toLowerCase())
        .pipe(
          z
            .string()
            .regex(
              /^[0-9a-f]{64}$/,
              'A SHA-256 fingerprint is 64 hex digits (colons allowed), as printed by openssl x509 -fingerprint -sha256',
            ),
        ),
    }),
    z.object({
      mode: z.literal('ca'),
      pem: z
        .string({ error: 'Paste the CA certificate in PEM form' })
        .trim()
        .max(65536, 'A CA bundle can be at most 64 KiB')
        .regex(
          /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/,
          'Paste the CA certificate in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
        ),
    }),
  ],
  { error: 'Choose how the server certificate is trusted' },
);
export type TlsTrust = z.infer<typeof tlsTrustSchema>;

export const tlsTrustModeLabels: Record<TlsTrust['mode'], string> = {
  system: 'System certificate authorities',
  fingerprint: 'Pinned certificate (SHA-256 fingerprint)',
  ca: 'Custom certificate authority (PEM)',
};

const systemTrust = { mode: 'system' } as const;

export const incomingServerSchema = z.object({
  host: serverAddressSchema,
  port: portSchema,
  encryption: encryptionSchema,
  authType: authTypeSchema,
  tlsTrust: tlsTrustSchema.default(systemTrust),
});
export type IncomingServer = z.infer<typeof incomingServerSchema>;

/**
 * The outgoing server's authentication type is required exactly when "requires authentication"
 * is ticked. Runs even when other fields are invalid, so the form shows every problem at once.
 */
export function refineSmtpAuth(
  value: { requiresAuth: boolean; authType?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (value.requiresAuth && value.authType === undefined) {
    ctx.addIssue({ code: 'custom', path: ['authType'], message: 'Choose the authentication type' });
  }
  if (!value.requiresAuth && value.authType !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['authType'],
      message: 'An authentication type applies only when the server requires authentication',
    });
  }
}

/** Runs a cross-field check only when the fields it reads parsed cleanly. */
export function whenValid(...fields: string[]) {
  return {
    when: (payload: z.core.ParsePayload) =>
      typeof payload.value === 'object' &&
      payload.value !== null &&
      !payload.issues.some((issue) => {
        const field = issue.path?.[0];
        return field === undefined || fields.includes(String(field));
      }),
  };
}

export const outgoingServerSchema = z
  .object({
    host: serverAddressSchema,
    port: portSchema,
    encryption: encryptionSchema,
    requiresAuth: z.boolean({ error: 'Say whether the server requires authentication' }),
    authType: authTypeSchema.optional(),
    tlsTrust: tlsTrustSchema.default(systemTrust),
  })
  .superRefine(refineSmtpAuth, whenValid('requiresAuth', 'authType'));
export type OutgoingServer = z.infer<typeof outgoingServerSchema>;

export type FieldWarning = { path: (string | number)[]; message: string };

/** Port numbers whose protocol is implicit TLS, and those that expect plain text or STARTTLS. */
const IMPLICIT_TLS_PORTS = new Set([465, 993, 995]);
const PLAIN_START_PORTS = new Set([25, 587, 143, 110]);

/**
 * Warnings (never errors: servers run on any port) when a port and encryption disagree, or when a
 * password would cross the network in clear text.
 */
export function serverWarnings(
  server: { port: number; encryption: Encryption; authenticates: boolean },
  path: (string | number)[] = [],
): FieldWarning[] {
  const warnings: FieldWarning[] = [];
  const { port, encryption } = server;
  if (encryption === 'ssl' && PLAIN_START_PORTS.has(port)) {
    warnings.push({
      path: [...path, 'encryption'],
      message: `Port ${port} usually speaks plain text first: STARTTLS is the usual choice there, SSL/TLS will likely fail with "wrong version number"`,
    });
  }
  if (encryption !== 'ssl' && IMPLICIT_TLS_PORTS.has(port)) {
    warnings.push({
      path: [...path, 'encryption'],
      message: `Port ${port} usually expects TLS from the first byte: choose SSL/TLS, or the connection will likely hang or be reset`,
    });
  }
  if (encryption === 'off' && server.authenticates) {
    warnings.push({
      path: [...path, 'encryption'],
      message: 'With encryption Off the password is sent over the network in clear text',
    });
  }
  return warnings;
}
