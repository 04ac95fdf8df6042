// The actors table, live (actors.onChange) over the real HTTP server: the whole table first, then
// each change as it happens (an actor enrolls through the actor API, comes online with its first
// poll, goes offline when its last contact leaves the online window, is revoked, its zone is
// renamed), and nothing for heartbeats that change nothing shown. The watch itself is also run on
// a database of 200 actors with the clock in the test's hand.
import { randomUUID } from 'node:crypto';
import type { ActorsChange } from '@email-profiles/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, ONLINE_WINDOW_MS, touchActor } from '../db/index.js';
import { seedActors, tempDatabase } from '../db/test-support.js';
import { DirectorEvents } from '../verification/events.js';
import { ActorWatch } from './actor-watch.js';
import {
  ADMIN,
  browserTab,
  enrollTestActor,
  testDirector,
  type TestDirector,
} from './test-client.js';

let env: TestDirector;
let operator: ReturnType<typeof browserTab>['client'];
const url = () => env.director.url;

beforeAll(async () => {
  env = await testDirector('actors-live');
  operator = browserTab(url()).client;
  await operator.auth.setup.mutate(ADMIN);
});
afterAll(async () => {
  await env.close();
});

/** An open actors stream: each event as it comes, and a way to wait for the one a test expects. */
function follow(client = operator) {
  const events: ActorsChange[] = [];
  const waiting: { ok: (change: ActorsChange) => boolean; resolve: (c: ActorsChange) => void }[] =
    [];
  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });
  failed.catch(() => undefined);
  let read = 0;
  const subscription = client.actors.onChange.subscribe(undefined, {
    onData: (change) => {
      events.push(change);
      for (const waiter of [...waiting]) {
        if (waiter.ok(change)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve(change);
        }
      }
    },
    onError: (error) => failure?.(error),
  });
  return {
    events,
    /** The next event not read yet (events are read in order). */
    async next(): Promise<ActorsChange> {
      const index = read;
      read += 1;
      const change = events[index];
      if (change) return change;
      return Promise.race([
        failed,
        new Promise<ActorsChange>((resolve) => {
          waiting.push({
            ok: () => events.length > index,
            resolve: () => {
              resolve(events[index]!);
            },
          });
        }),
      ]);
    },
    failed,
    close: () => {
      subscription.unsubscribe();
    },
  };
}

const ids = (change: ActorsChange) => change.actors.map((actor) => actor.id);
const connections = (change: ActorsChange) =>
  change.actors.map((actor) => `${actor.name}:${actor.connection}`);

describe('actors.onChange', () => {
  it('refuses an anonymous caller', async () => {
    const anonymous = follow(browserTab(url()).client);
    const error = await anonymous.failed.catch((e: unknown) => e);
    expect((error as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');
    expect(anonymous.events).toEqual([]);
    anonymous.close();
  });

  it('sends the table, then an enrollment, the first poll, a zone rename and a revocation', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Live' });
    const stream = follow();
    expect(await stream.next()).toEqual({ full: true, actors: [], removed: [] });

    const actor = await enrollTestActor(url(), operator, zone.id, 'live-01');
    const enrolled = await stream.next();
    expect(enrolled).toEqual({
      full: false,
      actors: [
        {
          id: actor.id,
          name: 'live-01',
          zoneId: zone.id,
          zoneName: 'Live',
          connection: 'offline',
          lastSeenAt: null,
        },
      ],
      removed: [],
    });

    await actor.api.actorApi.nextTasks.mutate({ waitMs: 0 });
    const online = await stream.next();
    expect([online.full, connections(online), online.removed]).toEqual([
      false,
      ['live-01:online'],
      [],
    ]);
    expect(online.actors[0]?.lastSeenAt).not.toBeNull();

    // Heartbeats of an online actor change nothing the table shows: nothing is sent for them.
    for (let i = 0; i < 5; i += 1) await actor.api.actorApi.heartbeat.mutate({});
    await operator.zones.rename.mutate({ id: zone.id, name: 'Live LAN' });
    const renamed = await stream.next();
    expect(renamed.actors.map((a) => [a.id, a.zoneName])).toEqual([[actor.id, 'Live LAN']]);

    await operator.actors.revoke.mutate({ id: actor.id });
    expect(await stream.next()).toEqual({ full: false, actors: [], removed: [actor.id] });
    expect(stream.events).toHaveLength(5);
    stream.close();
    await operator.zones.delete.mutate({ id: zone.id });
  });

  it('sends an actor going offline when its last contact leaves the online window', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Fading' });
    const actor = await enrollTestActor(url(), operator, zone.id, 'fading-01');
    // Last heard from a little less than the window ago: online now, offline in 3 s, by time
    // alone (no write happens in between).
    const lastSeenAt = new Date(Date.now() - ONLINE_WINDOW_MS + 3_000).toISOString();
    touchActor(env.store.db, actor.id, lastSeenAt);
    const stream = follow();
    const first = await stream.next();
    expect([first.full, connections(first)]).toEqual([true, ['fading-01:online']]);
    const offline = await stream.next();
    expect([offline.full, connections(offline), offline.removed]).toEqual([
      false,
      ['fading-01:offline'],
      [],
    ]);
    // Not before its window ended.
    expect(Date.now()).toBeGreaterThan(Date.parse(lastSeenAt) + ONLINE_WINDOW_MS);
    // And online again with its next poll.
    await actor.api.actorApi.heartbeat.mutate({});
    expect(connections(await stream.next())).toEqual(['fading-01:online']);
    stream.close();
    await operator.actors.revoke.mutate({ id: actor.id });
    await operator.zones.delete.mutate({ id: zone.id });
  });

  it('gives every follower the same changes', async () => {
    const zone = await operator.zones.create.mutate({ name: 'Shared' });
    const [a, b] = [follow(), follow()];
    await Promise.all([a.next(), b.next()]);
    const actor = await enrollTestActor(url(), operator, zone.id, 'shared-01');
    expect(ids(await a.next())).toEqual([actor.id]);
    expect(ids(await b.next())).toEqual([actor.id]);
    a.close();
    await operator.actors.revoke.mutate({ id: actor.id });
    expect((await b.next()).removed).toEqual([actor.id]);
    b.close();
    await operator.zones.delete.mutate({ id: zone.id });
  });
});

/**
 * A watch of a temporary database whose poll the test never waits for (it looks itself, with its
 * own clock), and every change it sends.
 */
function watchOnItsOwn() {
  const test = tempDatabase();
  const events = new DirectorEvents();
  const sent: ActorsChange[] = [];
  const controller = new AbortController();
  void (async () => {
    for await (const change of events.actors(controller.signal)) sent.push(change);
  })();
  const watch = new ActorWatch(test.handle.db, events, 3_600_000);
  const close = () => {
    controller.abort();
    test.cleanup();
  };
  return { test, events, sent, watch, close };
}

describe('the actor watch', () => {
  it('with 200 actors: a change only for the actors whose row in the table changed', async () => {
    const { test, sent, watch, close } = watchOnItsOwn();
    try {
      const seeded = seedActors(test.handle, 200);
      const at = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      for (const id of seeded) touchActor(test.handle.db, id, iso(at - ONLINE_WINDOW_MS - 1));
      const { actors, release } = watch.follow();
      expect(actors).toHaveLength(200);
      expect(actors.every((actor) => actor.connection === 'offline')).toBe(true);

      const seen = (changes: ActorsChange[]) => changes.flatMap(connections);
      const flush = () => new Promise((resolve) => setImmediate(resolve));
      const looked = async (ms: number) => {
        sent.length = 0;
        watch.look(ms);
        await flush();
        return seen(sent);
      };
      expect(await looked(at)).toEqual([]);

      // Two actors poll: only they change, to online.
      touchActor(test.handle.db, seeded[0]!, iso(at));
      touchActor(test.handle.db, seeded[1]!, iso(at + 1_000));
      expect(await looked(at + 1_000)).toEqual(['actor 1:online', 'actor 2:online']);
      // They keep polling: nothing the table shows changes, nothing is sent.
      touchActor(test.handle.db, seeded[0]!, iso(at + 5_000));
      expect(await looked(at + 5_000)).toEqual([]);
      // The window passes for one of them, then for the other.
      expect(await looked(at + 1_000 + ONLINE_WINDOW_MS)).toEqual([]);
      expect(await looked(at + 1_000 + ONLINE_WINDOW_MS + 1)).toEqual(['actor 2:offline']);
      expect(await looked(at + 5_000 + ONLINE_WINDOW_MS)).toEqual([]);
      expect(await looked(at + 5_000 + ONLINE_WINDOW_MS + 1)).toEqual(['actor 1:offline']);

      // An actor enrolled and one gone (removed another way than revoke) are noticed too.
      const zoneId = actors[0]!.zoneId;
      const added = createActor(test.handle.db, {
        name: 'actor 201',
        zoneId,
        tokenHash: randomUUID(),
      });
      test.handle.sqlite.prepare('DELETE FROM actors WHERE id = ?').run(seeded[2]);
      sent.length = 0;
      watch.look(at + 70_000);
      await flush();
      expect(sent.map((c) => [ids(c), c.removed])).toEqual([[[added.id], [seeded[2]]]]);
      release();
    } finally {
      close();
    }
  });

  it('looks at once when told of a write, and stops when its last follower leaves', async () => {
    const { test, events, sent, watch, close } = watchOnItsOwn();
    try {
      const first = watch.follow();
      const second = watch.follow();
      const [id] = seedActors(test.handle, 1);
      events.actorsWritten();
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent.map(ids)).toEqual([[id]]);
      first.release();
      first.release(); // twice is once
      events.actorsWritten();
      test.handle.sqlite.prepare('DELETE FROM actors').run();
      events.actorsWritten();
      await new Promise((resolve) => setImmediate(resolve));
      expect(sent.map((c) => c.removed)).toEqual([[], [id]]);
      second.release();
      seedActors(test.handle, 1, 'Other');
      events.actorsWritten();
      await new Promise((resolve) => setImmediate(resolve));
      // Nobody follows: the watch no longer listens.
      expect(sent).toHaveLength(2);
    } finally {
      close();
    }
  });
});
