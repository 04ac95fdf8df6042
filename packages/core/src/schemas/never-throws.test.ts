import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as core from '../index.js';

// Every exported schema, found by shape, so a new schema is covered without being listed here.
const schemas = (Object.entries(core) as [string, unknown][]).filter(
  (entry): entry is [string, z.ZodType] =>
    entry[0].endsWith('Schema') &&
    typeof entry[1] === 'object' &&
    entry[1] !== null &&
    'safeParse' in entry[1],
);

describe('validators never throw', () => {
  it('covers the schemas core exports', () => {
    expect(schemas.length).toBeGreaterThan(20);
  });

  it.each(schemas)('%s returns a result for arbitrary input', (_, schema) => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
        }),
        (value) => {
          const result = schema.safeParse(value);
          expect(typeof result.success).toBe('boolean');
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(schemas)('%s returns a result for object-shaped hostile input', (_, schema) => {
    const anyField = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.string()),
    );
    const hostile = fc.record(
      {
        serverType: fc.constantFrom('graph', 'gmail', 'imap', 'pop3', 'x'),
        method: fc.constantFrom('smtp', 'x'),
        mode: fc.constantFrom('system', 'fingerprint', 'ca', 'automatic', 'manual'),
        status: fc.constantFrom(
          'unverified',
          'requested',
          'sent',
          'checking',
          'verified',
          'failed',
        ),
        type: fc.constantFrom('verify', 'actor', 'requested', 'reset'),
        ok: fc.boolean(),
        found: fc.boolean(),
        requiresAuth: fc.boolean(),
        emailAddress: anyField,
        host: anyField,
        port: anyField,
        incoming: fc.dictionary(
          fc.constantFrom('host', 'port', 'encryption', 'authType', 'tlsTrust'),
          anyField,
        ),
        outgoing: fc.dictionary(
          fc.constantFrom('host', 'port', 'encryption', 'requiresAuth', 'authType'),
          anyField,
        ),
        password: anyField,
        username: anyField,
        actorIds: anyField,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(hostile, (value) => {
        expect(typeof schema.safeParse(value).success).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });
});
