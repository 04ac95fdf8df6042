// The Why? dialog's history: each attempt with what the Director's server said when it accepted
// the coded email, the failing stage, and where the email landed.
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { AttemptRecord } from '@email-profiles/core';
import TroubleshootDialog from './TroubleshootDialog.vue';

const history: AttemptRecord[] = [
  {
    attemptId: 'a2',
    actorId: 'actor-1',
    mode: 'automatic',
    requestedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:00:03.000Z',
    outcome: 'verified',
    sentResponse: '250 2.0.0 Ok: queued as 4F2A1',
    delivery: {
      folder: 'junk',
      folderName: 'Junk',
      latencyMs: 1200,
      authentication: { spf: 'pass', dkim: 'none', dmarc: 'fail' },
    },
  },
  {
    attemptId: 'a1',
    actorId: 'actor-1',
    mode: 'manual',
    requestedAt: '2026-11-30T10:00:00.000Z',
    outcome: 'in_progress',
  },
];
vi.mock('./api', () => ({ profilesApi: { history: () => Promise.resolve(history) } }));
vi.mock('../diagnostics/api', () => ({ diagnosticsApi: { run: vi.fn(), follow: vi.fn() } }));

describe('the Why? dialog', () => {
  it('shows for each attempt what the Director sent and where the email landed', async () => {
    const wrapper = mount(TroubleshootDialog, {
      attachTo: document.body,
      props: {
        profileId: 'p1',
        emailAddress: 'hq@example.test',
        actorId: 'actor-1',
        actorName: 'hq-01',
        failure: undefined,
      },
    });
    await flushPromises();
    const rows = wrapper.findAll('tbody tr').map((row) => row.findAll('td').map((td) => td.text()));
    expect(rows[0]).toContain('250 2.0.0 Ok: queued as 4F2A1');
    expect(rows[0]).toContain(
      "Junk · 1.2 s after the Director's submit · SPF pass, DKIM none, DMARC fail",
    );
    expect(rows[1]).toContain('by hand');
    wrapper.unmount();
  });
});
