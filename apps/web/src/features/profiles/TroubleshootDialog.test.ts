// The Why? dialog's history: each attempt drawn as its chain, from the Director's server accepting
// the coded email to where the email landed, or the link where it stopped.
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { listedFailure, type AttemptRecord, type ListedFailure } from '@email-profiles/core';
import TroubleshootDialog from './TroubleshootDialog.vue';

const history: AttemptRecord[] = [
  {
    attemptId: 'a2',
    actorId: 'actor-1',
    mode: 'automatic',
    requestedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:00:03.000Z',
    outcome: 'verified',
    sent: {
      at: '2026-12-01T10:00:00.400Z',
      via: 'mail.example.test:587',
      response: '250 2.0.0 Ok: queued as 4F2A1',
    },
    receivedAt: '2026-12-01T10:00:00.500Z',
    delivery: {
      folder: 'junk',
      folderName: 'Junk',
      latencyMs: 1200,
      authentication: { spf: 'pass', dkim: 'none', dmarc: 'fail' },
    },
  },
  {
    attemptId: 'a3',
    actorId: 'actor-1',
    mode: 'automatic',
    requestedAt: '2026-11-30T12:00:00.000Z',
    endedAt: '2026-11-30T12:00:01.000Z',
    outcome: 'failed',
    failure: {
      stage: 'auth',
      origin: 'actor',
      summary: 'The server refused the login.',
      serverText: 'a1 NO [AUTHENTICATIONFAILED] Authentication failed.',
      hint: 'Check the user name and password.',
      transient: false,
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
const fullFailure = {
  stage: 'auth',
  origin: 'actor',
  summary: 'The IMAP server rejected the username or password.',
  serverText: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
  hint: 'Check the account username and password.',
  transient: false,
} as const;
const failureQueries: string[] = [];
vi.mock('./api', () => ({
  profilesApi: {
    history: () => Promise.resolve(history),
    failure: (profileId: string, actorId: string) => {
      failureQueries.push(`${profileId}/${actorId}`);
      return Promise.resolve(fullFailure);
    },
  },
}));
vi.mock('../diagnostics/api', () => ({ diagnosticsApi: { run: vi.fn(), follow: vi.fn() } }));

/** The dialog for hq-01 on hq@example.test, with the failure as the table lists it. */
const openDialog = (failure: ListedFailure | undefined) =>
  mount(TroubleshootDialog, {
    attachTo: document.body,
    props: {
      profileId: 'p1',
      emailAddress: 'hq@example.test',
      actorId: 'actor-1',
      actorName: 'hq-01',
      failure,
    },
  });

describe('the Why? dialog', () => {
  it('draws each attempt as its chain: what the Director sent, where it stopped or landed', async () => {
    const wrapper = openDialog(undefined);
    await flushPromises();
    const chain = (attempt: string) =>
      wrapper
        .findAll(`[data-attempt="${attempt}"] [data-link]`)
        .map((link) => [link.attributes('data-link'), link.classes()[0], link.text()]);
    const verified = chain('a2');
    expect(verified.map(([link, status]) => [link, status])).toEqual([
      ['sent', 'done'],
      ['received', 'done'],
      ['opened', 'done'],
      ['searched', 'done'],
      ['found', 'done'],
    ]);
    expect(verified[0]?.[2]).toContain('mail.example.test:587 · 250 2.0.0 Ok: queued as 4F2A1');
    expect(verified[4]?.[2]).toContain(
      "Junk · 1.2 s after the Director's submit · SPF pass, DKIM none, DMARC fail",
    );
    // A login refused by the mailbox: the chain stops at the mailbox, with the server's words.
    const refused = chain('a3');
    expect(refused.map(([, status]) => status)).toEqual([
      'done',
      'done',
      'failed',
      'not_reached',
      'not_reached',
    ]);
    expect(refused[2]?.[2]).toContain('[AUTHENTICATIONFAILED]');
    // Manual, still running: sent by hand, the rest waiting.
    expect(chain('a1').map(([, status]) => status)).toEqual([
      'by_hand',
      'waiting',
      'waiting',
      'waiting',
      'waiting',
    ]);
    wrapper.unmount();
  });

  it("shows the listed failure at once, then its hint and the server's words once loaded", async () => {
    const { summary } = fullFailure;
    const wrapper = openDialog(listedFailure(fullFailure));
    expect(wrapper.find('[data-testid="failure"]').text()).toContain(summary);
    expect(wrapper.find('.hint-text').exists()).toBe(false);
    await flushPromises();
    expect(failureQueries).toEqual(['p1/actor-1']);
    expect(wrapper.find('.hint-text').text()).toContain(fullFailure.hint);
    expect(wrapper.find('.server-text').text()).toBe(fullFailure.serverText);
    wrapper.unmount();
  });
});
