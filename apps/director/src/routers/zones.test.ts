import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, type DatabaseHandle } from '../db/index.js';
import type { RunningDirector } from '../director.js';
import { ADMIN, browserTab, rejection, testDirector, type TestDirector } from './test-client.js';

let env: TestDirector;
let director: RunningDirector;
/** A second connection to the Director's SQLite file, to enroll actors as the agent will. */
let side: DatabaseHandle;

const browser = () => browserTab(director.url).client;

let operator: ReturnType<typeof browser>;

beforeAll(async () => {
  env = await testDirector('zones');
  director = env.director;
  side = env.store;
  operator = browser();
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

const enroll = (zoneId: string, name: string) =>
  createActor(side.db, { name, zoneId, tokenHash: randomUUID() });

describe('zones', () => {
  it('refuses every procedure to an anonymous caller', async () => {
    const anonymous = browser();
    const calls = [
      () => anonymous.zones.list.query(),
      () => anonymous.zones.create.mutate({ name: 'DMZ' }),
      () => anonymous.zones.rename.mutate({ id: 'z1', name: 'DMZ' }),
      () => anonymous.zones.delete.mutate({ id: 'z1' }),
    ];
    for (const call of calls) expect((await rejection(call())).data?.code).toBe('UNAUTHORIZED');
    expect(await operator.zones.list.query()).toEqual([]);
  });

  it('validates every input with field paths and messages', async () => {
    const create = await rejection(operator.zones.create.mutate({ name: '   ' }));
    expect([create.data?.code, create.data?.fieldErrors]).toEqual([
      'BAD_REQUEST',
      [{ path: ['name'], message: 'Enter a name' }],
    ]);
    const rename = await rejection(
      operator.zones.rename.mutate({ id: 'not an id', name: 'x'.repeat(65) }),
    );
    expect(rename.data?.fieldErrors).toEqual([
      { path: ['id'], message: 'Expected an identifier of letters, digits, "-" or "_"' },
      { path: ['name'], message: 'A name can be at most 64 characters' },
    ]);
    const remove = await rejection(operator.zones.delete.mutate({ id: '' }));
    expect(remove.data?.fieldErrors).toEqual([
      { path: ['id'], message: 'Expected an identifier of letters, digits, "-" or "_"' },
    ]);
  });

  it('creates, lists by name and renames zones', async () => {
    const dmz = await operator.zones.create.mutate({ name: '  DMZ ' });
    expect(dmz).toEqual({ id: expect.any(String) as string, name: 'DMZ' });
    const branch = await operator.zones.create.mutate({ name: 'Branch office' });
    expect(await operator.zones.list.query()).toEqual([branch, dmz]);
    expect(await operator.zones.rename.mutate({ id: branch.id, name: 'Headquarters' })).toEqual({
      id: branch.id,
      name: 'Headquarters',
    });
    // Renaming a zone to its own name is no conflict.
    await operator.zones.rename.mutate({ id: dmz.id, name: 'DMZ' });
    expect(await operator.zones.list.query()).toEqual([
      dmz,
      { id: branch.id, name: 'Headquarters' },
    ]);
  });

  it('refuses a duplicate name as a CONFLICT on the name field', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Labs' });
    const other = await operator.zones.create.mutate({ name: 'Lab 2' });
    const message = 'A zone named "Labs" already exists';
    for (const call of [
      () => operator.zones.create.mutate({ name: 'Labs' }),
      () => operator.zones.rename.mutate({ id: other.id, name: 'Labs ' }),
    ]) {
      const error = await rejection(call());
      expect([error.data?.code, error.message, error.data?.fieldErrors]).toEqual([
        'CONFLICT',
        message,
        [{ path: ['name'], message }],
      ]);
    }
    const names = (await operator.zones.list.query()).map((z) => z.name);
    expect(names.filter((name) => name === 'Labs')).toEqual(['Labs']);
    expect(names).toContain('Lab 2');
    await operator.zones.delete.mutate({ id: zone.id });
    await operator.zones.delete.mutate({ id: other.id });
  });

  it('answers NOT_FOUND for a zone that does not exist', async () => {
    for (const call of [
      () => operator.zones.rename.mutate({ id: 'no-such-zone', name: 'X' }),
      () => operator.zones.delete.mutate({ id: 'no-such-zone' }),
    ]) {
      const error = await rejection(call());
      expect([error.data?.code, error.message]).toEqual([
        'NOT_FOUND',
        'There is no zone "no-such-zone"',
      ]);
    }
  });

  it('refuses to delete a zone that still holds actors, saying how many', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Servers' });
    const first = enroll(zone.id, 'server 1');
    enroll(zone.id, 'server 2');
    const two = await rejection(operator.zones.delete.mutate({ id: zone.id }));
    expect([two.data?.code, two.message]).toEqual([
      'CONFLICT',
      'The zone "Servers" still has 2 actors; move or remove them first',
    ]);
    await operator.actors.revoke.mutate({ id: first.id });
    const one = await rejection(operator.zones.delete.mutate({ id: zone.id }));
    expect(one.message).toBe('The zone "Servers" still has 1 actor; move or remove it first');
    expect((await operator.zones.list.query()).map((z) => z.name)).toContain('Servers');
  });

  it('deletes an empty zone', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Temporary' });
    await operator.zones.delete.mutate({ id: zone.id });
    expect((await operator.zones.list.query()).map((z) => z.id)).not.toContain(zone.id);
  });
});
