import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  blankMeansKeep,
  isSecretSchema,
  publicObject,
  secret,
  secretFieldsOf,
  updateObject,
} from './secret.js';

describe('secret marks', () => {
  const schema = z.object({
    name: z.string(),
    token: secret(z.string().min(1, 'Enter the token')),
    optionalToken: secret(z.string()).optional(),
  });

  it('finds secrets however they are wrapped', () => {
    expect(secretFieldsOf(schema)).toEqual(['token', 'optionalToken']);
    expect(isSecretSchema(schema.shape.optionalToken)).toBe(true);
    expect(isSecretSchema(schema.shape.name)).toBe(false);
  });

  it('derives a public view without them', () => {
    expect(Object.keys(publicObject(schema).shape)).toEqual(['name']);
    expect(publicObject(schema).parse({ name: 'n', token: 't' })).toEqual({ name: 'n' });
  });

  it('derives an update where blank keeps and a value is still validated', () => {
    const update = updateObject(schema);
    expect(update.parse({ name: 'n', token: '' })).toEqual({ name: 'n' });
    expect(update.parse({ name: 'n' })).toEqual({ name: 'n' });
    expect(update.parse({ name: 'n', token: 'x' })).toEqual({ name: 'n', token: 'x' });
    const strict = blankMeansKeep(z.string().max(3, 'Too long'));
    expect(strict.safeParse('abcd').error?.issues[0]?.message).toBe('Too long');
    expect(strict.safeParse(5).error?.issues[0]?.code).toBe('invalid_type');
  });

  it('refuses a secret nested below the top level, which the derivations would miss', () => {
    const nested = z.object({
      server: z.object({ auth: z.object({ password: secret(z.string()) }) }).optional(),
    });
    expect(() => publicObject(nested)).toThrow(
      'Secret field "server.auth.password" must be a top-level field of its schema',
    );
  });
});
