import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProfileListItem, ProfileStatusEvent } from '@email-profiles/core';
import { useProfilesStore } from './store';

type Handlers = { onData: (row: ProfileStatusEvent) => void; onStarted?: () => void };
const stream: { handlers?: Handlers; stopped: number; started: number } = {
  stopped: 0,
  started: 0,
};
const list = vi.fn<() => Promise<ProfileListItem[]>>();

vi.mock('./api', () => ({
  profilesApi: {
    list: () => list(),
    onStatus: (handlers: Handlers) => {
      stream.handlers = handlers;
      stream.started += 1;
      return () => {
        stream.stopped += 1;
      };
    },
  },
}));

const row = (id: string, status: 'verified' | 'unverified' | 'in_progress'): ProfileListItem => ({
  profile: {
    id,
    serverType: 'graph',
    emailAddress: `${id}@example.test`,
    sendVerificationManually: false,
    zoneId: null,
    schedule: 'default',
  },
  actors: [{ actorId: 'a1', status }],
  oldestVerifiedAt: null,
});

beforeEach(() => {
  setActivePinia(createPinia());
  stream.handlers = undefined;
  stream.started = 0;
  stream.stopped = 0;
  list.mockReset();
});

describe('the profiles store', () => {
  it('follows the status stream: rows change in place, new profiles are added', async () => {
    list.mockResolvedValue([row('p1', 'unverified'), row('p2', 'verified')]);
    const store = useProfilesStore();
    await store.load();
    const stop = store.follow();
    stream.handlers?.onStarted?.();
    expect(store.live).toBe(true);
    stream.handlers?.onData(row('p1', 'in_progress'));
    expect(store.rows.map((r) => [r.profile.id, r.actors[0]?.status])).toEqual([
      ['p1', 'in_progress'],
      ['p2', 'verified'],
    ]);
    stream.handlers?.onData(row('p1', 'verified'));
    stream.handlers?.onData(row('p3', 'unverified'));
    expect(store.rows.map((r) => [r.profile.id, r.actors[0]?.status])).toEqual([
      ['p1', 'verified'],
      ['p2', 'verified'],
      ['p3', 'unverified'],
    ]);
    stop();
    expect([stream.started, stream.stopped, store.live]).toEqual([1, 1, false]);
  });

  it('shares one stream between screens and stops it when the last one leaves', () => {
    list.mockResolvedValue([]);
    const store = useProfilesStore();
    const stopTable = store.follow();
    const stopForm = store.follow();
    expect(stream.started).toBe(1);
    stopTable();
    expect(stream.stopped).toBe(0);
    stopForm();
    expect(stream.stopped).toBe(1);
  });
});
