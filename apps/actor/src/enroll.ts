// Enrollment: trade a one-time token for the actor's own credential, and keep it (mode 0600).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { actorEnrollSchema } from '@email-profiles/core';
import { enroll } from './client.js';
import { writeCredential, type ActorCredential } from './credentials.js';

export type EnrollRequest = {
  directorUrl: string;
  enrollmentToken: string;
  name: string;
  /** When given, the zone the token must enroll into (its name, case-insensitive). */
  zone?: string;
  credentialPath: string;
};

export class EnrollError extends Error {
  override name = 'EnrollError';
}

export function normalizeDirectorUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EnrollError(
      `"${raw}" is not a URL: give the Director's address, e.g. https://director.example.com:8080`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EnrollError(
      `The Director's URL must start with https:// or http:// (got ${url.protocol})`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new EnrollError(
      "The Director's URL is its address only, without credentials, query or fragment",
    );
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export async function enrollActor(
  request: EnrollRequest,
  signal?: AbortSignal,
): Promise<ActorCredential> {
  const directorUrl = normalizeDirectorUrl(request.directorUrl);
  const input = actorEnrollSchema.safeParse({
    enrollmentToken: request.enrollmentToken,
    name: request.name,
  });
  if (!input.success) {
    throw new EnrollError(input.error.issues.map((issue) => issue.message).join('; '));
  }
  const enrollment = await enroll(directorUrl, input.data, signal);
  const credential: ActorCredential = {
    directorUrl,
    actorId: enrollment.actorId,
    token: enrollment.token,
    name: input.data.name,
    zone: { id: enrollment.zone.id, name: enrollment.zone.name },
  };
  mkdirSync(dirname(request.credentialPath), { recursive: true, mode: 0o700 });
  writeCredential(request.credentialPath, credential);
  if (
    request.zone !== undefined &&
    request.zone.trim().toLowerCase() !== enrollment.zone.name.toLowerCase()
  ) {
    throw new EnrollError(
      `The token enrolled this actor into zone "${enrollment.zone.name}", not "${request.zone}". The credential is saved; if the zone is wrong, revoke the actor in the Director and enroll with a token for the right zone`,
    );
  }
  return credential;
}
