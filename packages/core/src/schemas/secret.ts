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
