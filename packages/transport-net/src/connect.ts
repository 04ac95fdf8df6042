// The first three stages of every mail connection: DNS, TCP, TLS. Each reports what it saw, so a
// probe can show it like an `openssl s_client` session, and each is bounded and abortable.
import { lookup } from 'node:dns/promises';
import type { Socket } from 'node:net';
import { isIP, connect as netConnect } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import { transportErrorCodes, type CertificateInfo, type TlsTrust } from '@email-profiles/core';
import { withTimeout } from './deadline.js';
import { TransportError, asTransportError } from './errors.js';

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** All addresses of a host (an IP literal resolves to itself). */
export async function resolveHost(
  host: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ResolvedAddress[]> {
  const family = isIP(host);
  if (family === 4 || family === 6) return [{ address: host, family }];
  return withTimeout('dns', timeoutMs, signal, async () => {
    try {
      const found = await lookup(host, { all: true, verbatim: true });
      return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
    } catch (error) {
      throw asTransportError(error, 'dns', { host });
    }
  });
}

/** Connects to the first address that accepts, trying each in order. */
export async function connectTcp(
  addresses: ResolvedAddress[],
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
  host?: string,
): Promise<Socket> {
  let last: TransportError | undefined;
  for (const { address } of addresses) {
    try {
      return await withTimeout(
        'tcp',
        timeoutMs,
        signal,
        (inner) => openSocket(address, port, inner),
        `No answer from ${address}:${port} within ${timeoutMs / 1000} s`,
      );
    } catch (error) {
      last = asTransportError(error, 'tcp', { host: host ?? address, port });
      if (last.observation.errorCode === transportErrorCodes.aborted) throw last;
    }
  }
  throw (
    last ??
    new TransportError({
      stage: 'dns',
      errorCode: 'ENOTFOUND',
      host: host ?? '',
      message: 'No address to connect to',
    })
  );
}

function openSocket(address: string, port: number, signal: AbortSignal): Promise<Socket> {
  return settle(netConnect({ host: address, port, noDelay: true }), 'connect', signal);
}

/** Resolves with the socket on `event`; on an error or abort, destroys it and rejects. */
function settle<S extends Socket>(
  socket: S,
  event: 'connect' | 'secureConnect',
  signal: AbortSignal,
): Promise<S> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(event, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    socket.once(event, onReady);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type TlsDetails = {
  protocol: string;
  cipher: string;
  certificate?: CertificateInfo;
  chainTrusted: boolean;
  hostnameMatches: boolean;
  authorizationError?: string;
};

function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

export function certificateInfo(cert: PeerCertificate): CertificateInfo {
  return {
    subject: describeName(cert.subject),
    issuer: describeName(cert.issuer),
    subjectAltNames: (cert.subjectaltname ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: new Date(cert.valid_to).toISOString(),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    serialNumber: cert.serialNumber,
  };
}

export type TlsOptions = {
  host: string;
  port: number;
  trust: TlsTrust;
  timeoutMs: number;
  signal?: AbortSignal;
};

/**
 * Runs a TLS handshake over a connected plain socket (right away for SSL/TLS, or after the
 * server agreed to STARTTLS). The certificate is checked here rather than inside the handshake, so a failure
 * still reports what the server presented; nothing is written to the socket before the check
 * passes, and an untrusted connection is destroyed.
 */
export async function startTls(
  plain: Socket,
  options: TlsOptions,
): Promise<{ socket: TLSSocket; details: TlsDetails }> {
  const { host, port, trust, timeoutMs, signal } = options;
  const socket = await withTimeout('tls', timeoutMs, signal, (inner) =>
    handshake(plain, host, trust, inner),
  ).catch((error: unknown) => {
    throw asTransportError(error, 'tls', { host, port });
  });
  const details = tlsDetails(socket, host);
  const problem = trustProblem(details, trust);
  if (problem) {
    socket.destroy();
    throw new TransportError({ stage: 'tls', host, port, ...problem }, { step: { tls: details } });
  }
  return { socket, details };
}

function handshake(
  plain: Socket,
  host: string,
  trust: TlsTrust,
  signal: AbortSignal,
): Promise<TLSSocket> {
  const socket = tlsConnect({
    socket: plain,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(trust.mode === 'ca' ? { ca: trust.pem } : {}),
    // Chain and name are verified below, after the handshake, so the details can be reported
    // either way (and the name is checked against the host the user typed).
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    minVersion: 'TLSv1.2',
  });
  return settle(socket, 'secureConnect', signal);
}

function tlsDetails(socket: TLSSocket, host: string): TlsDetails {
  const peer = socket.getPeerCertificate();
  const hasCert = Object.keys(peer).length > 0;
  const identityError = hasCert ? checkServerIdentity(host, peer) : new Error('No certificate');
  const authorizationError = socket.authorizationError as unknown as string | Error | null;
  const details: TlsDetails = {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher().name,
    chainTrusted: socket.authorized,
    hostnameMatches: identityError === undefined,
  };
  if (hasCert) details.certificate = certificateInfo(peer);
  if (authorizationError) {
    details.authorizationError =
      typeof authorizationError === 'string' ? authorizationError : authorizationError.message;
  }
  return details;
}

function trustProblem(
  details: TlsDetails,
  trust: TlsTrust,
): { errorCode: string; message: string } | undefined {
  if (trust.mode === 'fingerprint') {
    const presented = details.certificate?.fingerprintSha256;
    return presented === trust.sha256
      ? undefined
      : {
          errorCode: transportErrorCodes.fingerprintMismatch,
          message: `The server presented certificate ${presented ?? '(none)'}; the profile pins ${trust.sha256}`,
        };
  }
  if (!details.chainTrusted) {
    const code = details.authorizationError ?? 'CERT_UNTRUSTED';
    return { errorCode: code, message: `Certificate not trusted: ${code}` };
  }
  if (!details.hostnameMatches) {
    const names = details.certificate?.subjectAltNames.join(', ') ?? '';
    return {
      errorCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      message: `The certificate is for ${names || details.certificate?.subject || 'another name'}`,
    };
  }
  return undefined;
}
