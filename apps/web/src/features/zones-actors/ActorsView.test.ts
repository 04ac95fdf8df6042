// Revoking an actor: the confirmation names the profiles that lose their only actor, and after it
// the screen says which profiles now have none. The table follows the actors stream: no polling.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActorListItem, ActorsChange, ProfileListItem } from '@email-profiles/core';
import ActorsView from './ActorsView.vue';

const actor = (id: string, name: string): ActorListItem => ({
  id,
  name,
  zoneId: 'z1',
  zoneName: 'Branch',
  connection: 'online',
  lastSeenAt: '2030-01-01T00:00:00.000Z',
});
const actors = { current: [actor('a1', 'solo'), actor('a2', 'other')] };
const revoke = vi.fn();
const list = vi.fn(() => Promise.resolve(actors.current));
const stream: { send?: (change: ActorsChange) => void; open: number } = { open: 0 };
vi.mock('./api', () => ({
  zonesApi: { list: () => Promise.resolve([]) },
  actorsApi: {
    list: () => list(),
    revoke: (id: string) => revoke(id) as Promise<unknown>,
    onChange: (handlers: { onData: (change: ActorsChange) => void }) => {
      stream.send = handlers.onData;
      stream.open += 1;
      return () => {
        stream.open -= 1;
      };
    },
  },
}));
const row = (id: string, emailAddress: string, actorIds: string[]) =>
  ({
    profile: { id, emailAddress },
    actors: actorIds.map((actorId) => ({ actorId, status: 'verified' })),
  }) as unknown as ProfileListItem;
vi.mock('../profiles/api', () => ({
  profilesApi: {
    list: () =>
      Promise.resolve([
        row('p1', 'only@example.test', ['a1']),
        row('p2', 'shared@example.test', ['a1', 'a2']),
        row('p3', 'theirs@example.test', ['a2']),
      ]),
  },
}));

beforeEach(() => {
  setActivePinia(createPinia());
  revoke.mockReset();
  list.mockClear();
  stream.send = undefined;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the actors table, live', () => {
  it('changes with the stream, without polling, and closes it when the screen goes', async () => {
    vi.useFakeTimers();
    const wrapper = mount(ActorsView, { attachTo: document.body });
    await flushPromises();
    expect(stream.open).toBe(1);
    const status = (name: string) =>
      wrapper.find(`tr[data-actor="${name}"] [data-label="Status"]`).text();
    stream.send?.({
      full: true,
      actors: [{ ...actor('a1', 'solo'), connection: 'offline' }, actor('a2', 'other')],
      removed: [],
    });
    await flushPromises();
    expect(status('solo')).toBe('Offline');
    stream.send?.({ full: false, actors: [actor('a1', 'solo'), actor('a3', 'new')], removed: [] });
    await flushPromises();
    expect(status('solo')).toBe('Online');
    expect(wrapper.findAll('tbody tr').map((tr) => tr.attributes('data-actor'))).toEqual([
      'new',
      'other',
      'solo',
    ]);
    stream.send?.({ full: false, actors: [], removed: ['a2'] });
    await flushPromises();
    expect(wrapper.find('tr[data-actor="other"]').exists()).toBe(false);
    // No list is fetched again, however long the screen stays open.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(list).toHaveBeenCalledTimes(1);
    wrapper.unmount();
    expect(stream.open).toBe(0);
  });
});

describe('Revoke actor', () => {
  it('names the profiles that lose their only actor, then says they have none', async () => {
    const wrapper = mount(ActorsView, { attachTo: document.body });
    await flushPromises();
    await wrapper.find('button[aria-label="Revoke solo"]').trigger('click');
    await flushPromises();
    const dialog = wrapper.find('dialog');
    expect(dialog.find('[role="note"]').text()).toContain('This profile loses its only actor');
    expect(dialog.findAll('[role="note"] li').map((li) => li.text())).toEqual([
      'only@example.test',
    ]);

    revoke.mockResolvedValue({
      profiles: [
        { id: 'p1', emailAddress: 'only@example.test', orphaned: true },
        { id: 'p2', emailAddress: 'shared@example.test', orphaned: false },
      ],
    });
    await dialog.find('button.danger').trigger('click');
    await flushPromises();
    expect(revoke).toHaveBeenCalledWith('a1');
    expect(wrapper.find('[role="status"]').text()).toBe(
      'solo was revoked. only@example.test now has no actor: assign one to verify it.',
    );
    wrapper.unmount();
  });

  it('leaves out the profiles that keep another actor', async () => {
    const wrapper = mount(ActorsView, { attachTo: document.body });
    await flushPromises();
    await wrapper.find('button[aria-label="Revoke other"]').trigger('click');
    await flushPromises();
    // shared@ keeps solo; theirs@ has no other actor.
    expect(wrapper.findAll('dialog [role="note"] li').map((li) => li.text())).toEqual([
      'theirs@example.test',
    ]);
    wrapper.unmount();
  });
});
