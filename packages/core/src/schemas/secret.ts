// Secret fields (passwords, client secrets, refresh tokens) are marked once, where the field is
// declared; the public (secret-free) and update (blank secret = keep) variants of a schema are
// derived from that mark, so no list of secret keys is kept by hand anywhere.
import { z } from 'zod';

export type SecretBrand = z.core.$brand<'Secret'>;
export type Secret = string & SecretBrand;

const secrets = z.registry<{ secret: true }>();

/** Marks a string schema as secret: write-only, encrypted at rest, never returned or logged. */
export function secret<S extends z.ZodType<string, string>>(schema: S) {
  const branded = schema.brand<'Secret'>();
  secrets.add(branded, { secret: true });
  return branded;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

export function isSecretSchema(schema: z.ZodType): boolean {
  return secrets.has(unwrap(schema));
}

type SecretKeys<Shape extends z.ZodRawShape> = {
  [K in keyof Shape]: NonNullable<z.output<Shape[K]>> extends SecretBrand ? K : never;
}[keyof Shape];

export type PublicShape<Shape extends z.ZodRawShape> = Omit<Shape, SecretKeys<Shape>>;

/** The input schema of a secret in an update: blank ("" or absent) means "keep the stored one". */
export type BlankMeansKeep<S extends z.core.SomeType> = z.ZodPipe<
  z.ZodPipe<z.ZodOptional<z.ZodString>, z.ZodTransform<string | undefined, string | undefined>>,
  z.ZodOptional<S>
>;

export type UpdateShape<Shape extends z.ZodRawShape> = {
  [K in keyof Shape]: K extends SecretKeys<Shape> ? BlankMeansKeep<Shape[K]> : Shape[K];
};

function secretKeys(shape: z.ZodRawShape): string[] {
  const keys: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    if (isSecretSchema(field as z.ZodType)) keys.push(key);
    else assertNoNestedSecret(field as z.ZodType, key);
  }
  return keys;
}

// Secrets are top-level fields only, so the derivations below stay one level deep; a secret
// hidden in a nested object would otherwise leak into the public view. Fail at load time.
function assertNoNestedSecret(schema: z.ZodType, path: string): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    for (const [key, field] of Object.entries(inner.shape)) {
      const nested = `${path}.${key}`;
      if (isSecretSchema(field as z.ZodType)) {
        throw new Error(`Secret field "${nested}" must be a top-level field of its schema`);
      }
      assertNoNestedSecret(field as z.ZodType, nested);
    }
  }
}

/** The schema without its secret fields: what the API may return and the browser may see. */
export function publicObject<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
): z.ZodObject<PublicShape<Shape>> {
  const mask = Object.fromEntries(secretKeys(schema.shape).map((key) => [key, true as const]));
  return schema.omit(mask as never) as unknown as z.ZodObject<PublicShape<Shape>>;
}

export function blankMeansKeep<S extends z.ZodType<string, string>>(schema: S): BlankMeansKeep<S> {
  return z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(schema.optional());
}

/** The schema with every secret optional, where a blank or absent secret means "keep". */
export function updateObject<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
): z.ZodObject<UpdateShape<Shape>> {
  const replaced = Object.fromEntries(
    secretKeys(schema.shape).map((key) => [
      key,
      blankMeansKeep(unwrap(schema.shape[key] as z.ZodType) as z.ZodType<string, string>),
    ]),
  );
  return schema.extend(replaced) as unknown as z.ZodObject<UpdateShape<Shape>>;
}

/** Names of the secret fields of an object schema (for redaction and tests). */
export function secretFieldsOf(schema: z.ZodObject): string[] {
  return secretKeys(schema.shape);
}

// A stored secret is bound to where it is sent. The fields that say where (a server, a port, the
// encryption and certificate trust, the account, the OAuth client, the variant itself) are marked
// where they are declared; a blank secret keeps the stored one only while all of them are
// unchanged. They are never secret, so both sides can compare them from public values: the
// Director against the stored profile, the web form against the public view it was given.
const destinations = z.registry<{ label: string; variant?: true }>();

/**
 * Marks a field as part of where its variant's secrets are sent; `label` names it in the reason a
 * secret must be entered again ("the incoming server changed"). `variant` marks the discriminator
 * (server type, sending method): when it changes, it is the whole reason. Marks a copy, so a
 * schema shared by several variants (a client ID) can be a destination in each under its label.
 */
export function destination<S extends z.ZodType>(
  schema: S,
  label: string,
  options: { variant?: true } = {},
): S {
  const marked = schema.clone();
  destinations.add(marked, { label, ...options });
  return marked;
}

/** The destination fields of an object schema, in declaration order, with their labels. */
export function destinationFieldsOf(
  schema: z.ZodObject,
): { key: string; label: string; variant?: true }[] {
  return Object.entries(schema.shape).flatMap(([key, field]) => {
    const meta = destinations.get(field as z.ZodType);
    return meta ? [{ key, ...meta }] : [];
  });
}

/**
 * A destination field's value in one form, normalised by its own schema (host names lower-cased
 * and trimmed, fingerprints without colons, defaults filled in). A value that does not parse is
 * unlike anything, so it counts as changed.
 */
function canonical(field: z.ZodType, value: unknown): string | null {
  const parsed = field.safeParse(value);
  if (!parsed.success) return null;
  return parsed.data === undefined ? 'undefined' : JSON.stringify(parsed.data);
}

/** The labels of the destination fields that differ between the stored values and an update. */
export function changedDestinations(schema: z.ZodObject, stored: object, update: object): string[] {
  const before = stored as Record<string, unknown>;
  const after = update as Record<string, unknown>;
  const changed = destinationFieldsOf(schema).filter(({ key }) => {
    const field = schema.shape[key] as z.ZodType;
    const a = canonical(field, before[key]);
    const b = canonical(field, after[key]);
    return a === null || a !== b;
  });
  const variant = changed.find((field) => field.variant);
  return (variant ? [variant] : changed).map((field) => field.label);
}

export type BlankSecretCheck = {
  /** Labels of the destination fields that changed; empty when the destination is the same. */
  changed: string[];
  /** The secrets a blank keeps: stored, and their destination is unchanged. */
  keep: string[];
  /** For each stored secret that may not be kept, why it must be entered again. */
  reentry: Record<string, string>;
  /** The blank secrets that cannot be kept, on their field, with why. */
  issues: { path: (string | number)[]; message: string }[];
};

function words(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

function listed(labels: string[]): string {
  return labels.length <= 1
    ? (labels[0] ?? '')
    : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

const isBlank = (value: unknown) => value === undefined || value === '';

/**
 * What becomes of each secret of an update (input or parsed: blank is "" or absent) against the
 * stored values, public or not: `schema` is the update's variant (its secrets and destination
 * fields marked), `hasStored` says whether a secret is stored, `uses` whether the update sends it
 * at all (e.g. no SMTP password without authentication). A blank secret with nothing stored is
 * reported with its field's own "Enter the …" message when the field requires one.
 */
export function checkBlankSecrets(
  schema: z.ZodObject,
  stored: object | undefined,
  update: object,
  hasStored: (key: string) => boolean,
  uses: (key: string) => boolean = () => true,
): BlankSecretCheck {
  const changed = stored === undefined ? [] : changedDestinations(schema, stored, update);
  const check: BlankSecretCheck = { changed, keep: [], reentry: {}, issues: [] };
  for (const key of secretKeys(schema.shape)) {
    if (!uses(key)) continue;
    const blank = isBlank((update as Record<string, unknown>)[key]);
    if (stored !== undefined && hasStored(key)) {
      if (changed.length === 0) {
        check.keep.push(key);
        continue;
      }
      const name = words(key);
      const message = `Enter the ${name} again: ${listed(changed)} changed, so the stored ${name} is not sent to it`;
      check.reentry[key] = message;
      if (blank) check.issues.push({ path: [key], message });
    } else if (blank) {
      const missing = (schema.shape[key] as z.ZodType).safeParse(undefined);
      const message = missing.error?.issues[0]?.message;
      if (message !== undefined) check.issues.push({ path: [key], message });
    }
  }
  return check;
}
