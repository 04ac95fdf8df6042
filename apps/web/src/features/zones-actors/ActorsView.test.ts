// Revoking an actor: the confirmation names the profiles that lose their only actor, and after it
// the screen says which profiles now have none.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActorListItem, ProfileListItem } from '@email-profiles/core';
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
vi.mock('./api', () => ({
  zonesApi: { list: () => Promise.resolve([]) },
  actorsApi: {
    list: () => Promise.resolve(actors.current),
    revoke: (id: string) => revoke(id) as Promise<unknown>,
  },
}));
const row = (id: string, emailAddress: string, actorIds: string[]) =>
  ({ profile: { id, emailAddress, actorIds }, actors: [] }) as unknown as ProfileListItem;
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
