// The dialog's Verify button says "Verify again" only when there was a verification before.
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { AttemptRecord } from '@email-profiles/core';
import TroubleshootDialog from './TroubleshootDialog.vue';

const history: { current: AttemptRecord[] } = { current: [] };
vi.mock('./api', () => ({ profilesApi: { history: () => Promise.resolve(history.current) } }));
vi.mock('../diagnostics/api', () => ({ diagnosticsApi: { run: vi.fn(), follow: vi.fn() } }));

const props = {
  profileId: 'p1',
  emailAddress: 'hq@example.test',
  actorId: 'actor-1',
  actorName: 'hq-01',
  failure: undefined,
};
const verifyButton = async () => {
  const wrapper = mount(TroubleshootDialog, { attachTo: document.body, props });
  await flushPromises();
  const text = wrapper.find('.modal-actions button.primary').text();
  wrapper.unmount();
  return text;
};

describe('the Verify button of the troubleshooting dialog', () => {
  it('says Verify for an actor never verified, Verify again after an attempt', async () => {
    history.current = [];
    expect(await verifyButton()).toBe('Verify');
    history.current = [
      {
        attemptId: 'a1',
        actorId: 'actor-1',
        mode: 'automatic',
        requestedAt: '2026-12-01T10:00:00.000Z',
        endedAt: '2026-12-01T10:00:03.000Z',
        outcome: 'verified',
      },
    ];
    expect(await verifyButton()).toBe('Verify again');
  });
});
