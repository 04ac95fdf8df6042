// Add actor: the zone is the operator's choice (none is preselected), and after the token is
// issued the dialog waits for the actor on the actors stream: enrolled, then online.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActorListItem, ActorsChange } from '@email-profiles/core';
import AddActorDialog from './AddActorDialog.vue';
import { useZonesActorsStore } from './store';

const issue = vi.fn();
const stream: { send?: (change: ActorsChange) => void } = {};
vi.mock('./api', () => ({
  zonesApi: { list: () => Promise.resolve([]) },
  actorsApi: {
    list: () => Promise.resolve([]),
    download: () =>
      Promise.resolve({
        path: '/downloads/email-profiles-actor.mjs',
        sha256: 'a'.repeat(64),
        bytes: 5_000_000,
      }),
    createEnrollmentToken: (input: unknown) => issue(input) as Promise<unknown>,
    onChange: (handlers: { onData: (change: ActorsChange) => void }) => {
      stream.send = handlers.onData;
      return () => undefined;
    },
  },
}));

const actor = (id: string, name: string, zoneId: string, online = false): ActorListItem => ({
  id,
  name,
  zoneId,
  zoneName: zoneId === 'z-hq' ? 'HQ' : 'Branch',
  connection: online ? 'online' : 'offline',
  lastSeenAt: online ? '2030-01-01T00:00:00.000Z' : null,
});

beforeEach(() => {
  setActivePinia(createPinia());
  issue.mockReset();
  stream.send = undefined;
});

describe('Add actor', () => {
  it('asks for a zone, then says when the actor enrolled and when it is online', async () => {
    const store = useZonesActorsStore();
    // "Branch" comes first alphabetically: it must not be chosen for the operator.
    store.zones = [
      { id: 'z-branch', name: 'Branch' },
      { id: 'z-hq', name: 'HQ' },
    ];
    const wrapper = mount(AddActorDialog, { attachTo: document.body });
    await flushPromises();
    // An actor of the same name enrolled before (with another token) is not the one awaited.
    stream.send?.({ full: true, actors: [actor('old', 'hq-win-01', 'z-hq', true)], removed: [] });
    const select = wrapper.find<HTMLSelectElement>('select#actor-zone');
    expect(select.element.value).toBe('');
    await wrapper.find('#actor-name').setValue('hq-win-01');
    await wrapper.find('form').trigger('submit');
    // Once the form's validation has run:
    await vi.waitFor(() => {
      expect(wrapper.find('#actor-zone-error').exists()).toBe(true);
    });
    expect(wrapper.find('#actor-zone-error').text()).toBe(
      'Choose the Security Zone of the network the actor runs in',
    );
    expect(issue).not.toHaveBeenCalled();

    issue.mockResolvedValue({
      token: 'A'.repeat(43),
      zoneId: 'z-hq',
      expiresAt: '2030-01-01T01:00:00.000Z',
    });
    await select.setValue('z-hq');
    await wrapper.find('form').trigger('submit');
    const status = () => wrapper.find('[data-testid="enrollment-status"]').text();
    await vi.waitFor(() => {
      expect(wrapper.find('[data-testid="enrollment-status"]').exists()).toBe(true);
    });
    expect(issue).toHaveBeenCalledWith({ zoneId: 'z-hq', expiresInMinutes: 60 });
    expect(status()).toBe('Waiting for hq-win-01 to enroll…');
    // Another actor, elsewhere: still waiting.
    stream.send?.({ full: false, actors: [actor('x', 'hq-win-01', 'z-branch')], removed: [] });
    await flushPromises();
    expect(status()).toBe('Waiting for hq-win-01 to enroll…');
    stream.send?.({ full: false, actors: [actor('new', 'hq-win-01', 'z-hq')], removed: [] });
    await flushPromises();
    expect(status()).toBe('hq-win-01 enrolled ✓, waiting for it to connect…');
    stream.send?.({ full: false, actors: [actor('new', 'hq-win-01', 'z-hq', true)], removed: [] });
    await flushPromises();
    expect(status()).toBe('hq-win-01 enrolled ✓, online');
    expect(wrapper.find('[data-testid="enrollment-status"]').attributes('role')).toBe('status');
    wrapper.unmount();
  });
});
