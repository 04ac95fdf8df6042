import { describe, expect, it } from 'vitest';
import type { ActorListItem } from './actor.js';
import { actorsChangeSchema, applyActorsChange } from './actor-status.js';

const actor = (id: string, name: string, connection: 'online' | 'offline' = 'offline') =>
  ({
    id,
    name,
    zoneId: 'z1',
    zoneName: 'DMZ',
    connection,
    lastSeenAt: connection === 'online' ? '2030-01-01T00:00:00.000Z' : null,
  }) satisfies ActorListItem;

describe('the actors stream', () => {
  it('validates each event, never anything but the public list items', () => {
    const parsed = actorsChangeSchema.parse({
      full: false,
      actors: [{ ...actor('a1', 'alpha'), tokenHash: 'secret' }],
      removed: ['a2'],
    });
    expect(parsed).toEqual({ full: false, actors: [actor('a1', 'alpha')], removed: ['a2'] });
    expect(actorsChangeSchema.safeParse({ full: true, actors: [], removed: [''] }).success).toBe(
      false,
    );
  });

  it('replaces the list with a full event, else changes it in place, in table order', () => {
    const list = [actor('a2', 'bravo'), actor('a1', 'alpha')];
    expect(
      applyActorsChange(list, { full: true, actors: [actor('a3', 'zulu')], removed: [] }),
    ).toEqual([actor('a3', 'zulu')]);
    expect(
      applyActorsChange(list, {
        full: false,
        actors: [actor('a2', 'bravo', 'online'), actor('a4', 'alpha'), actor('a0', 'alpha')],
        removed: ['a1'],
      }),
    ).toEqual([actor('a0', 'alpha'), actor('a4', 'alpha'), actor('a2', 'bravo', 'online')]);
    // The list it was given is left as it was.
    expect(list.map((a) => a.id)).toEqual(['a2', 'a1']);
  });
});
