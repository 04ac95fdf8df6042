import { describe, expect, it } from 'vitest';
import {
  SERVER_TYPES,
  emailProfileCreateSchema,
  hasMailServers,
  needsConsent,
  serverTypeLabels,
  serverTypeSchema,
  storedProfileSchemas,
  taskProfileSchema,
} from '../index.js';

describe('the server-type registry', () => {
  it('is where the enum, the labels and the unions come from', () => {
    const names = Object.keys(SERVER_TYPES);
    expect(serverTypeSchema.options).toEqual(names);
    expect(Object.keys(serverTypeLabels)).toEqual(names);
    expect(Object.keys(storedProfileSchemas).sort()).toEqual([...names].sort());
    for (const union of [emailProfileCreateSchema, taskProfileSchema]) {
      const variants = union.options.map((variant) => variant.shape.serverType.value);
      expect([...variants].sort()).toEqual([...names].sort());
    }
  });

  it('says which types are reached through mail servers the user enters', () => {
    expect(serverTypeSchema.options.filter(hasMailServers)).toEqual(['imap', 'pop3']);
  });

  it("says which types need the mailbox owner's one-time consent", () => {
    expect(serverTypeSchema.options.filter(needsConsent)).toEqual(['gmail']);
  });
});
