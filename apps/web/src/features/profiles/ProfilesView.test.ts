// The Email Profiles table when a profile has no actor (its only actor was revoked): it says so
// instead of showing statuses, and Verify shows the Director's refusal.
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  NO_ACTOR_MESSAGE,
  type ActorListItem,
  type ActorsChange,
  type ProfileListItem,
  type PublicEmailProfile,
} from '@email-profiles/core';
import ProfilesView from './ProfilesView.vue';

const rows: { current: ProfileListItem[] } = { current: [] };
const verify = vi.fn();
vi.mock('./api', () => ({
  profilesApi: {
    list: () => Promise.resolve(rows.current),
    onStatus: () => () => undefined,
    verify: (target: unknown) => verify(target) as Promise<unknown>,
    remove: vi.fn(),
    history: () => Promise.resolve([]),
    failure: () => Promise.resolve(null),
  },
}));
const actors: ActorListItem[] = [
  {
    id: 'a1',
    name: 'Branch actor',
    zoneId: 'z1',
    zoneName: 'Branch',
    connection: 'online',
    lastSeenAt: '2030-01-01T00:00:00.000Z',
  },
  {
    id: 'a2',
    name: 'HQ actor',
    zoneId: 'z1',
    zoneName: 'Branch',
    connection: 'online',
    lastSeenAt: '2030-01-01T00:00:00.000Z',
  },
];
const actorsStream: { send?: (change: ActorsChange) => void } = {};
vi.mock('../zones-actors/api', () => ({
  zonesApi: { list: () => Promise.resolve([]) },
  actorsApi: {
    list: () => Promise.resolve(actors),
    onChange: (handlers: { onData: (change: ActorsChange) => void }) => {
      actorsStream.send = handlers.onData;
      return () => undefined;
    },
  },
}));

// The getting-started checklist asks for the Director's mail settings: none yet.
vi.mock('../mail-settings/api', () => ({
  mailSettingsApi: { get: () => Promise.resolve(null) },
}));

const profileOf = (emailAddress: string, actorIds: string[]): PublicEmailProfile => ({
  id: `p-${actorIds.length}`,
  serverType: 'pop3',
  emailAddress,
  sendVerificationManually: false,
  schedule: 'default',
  zoneId: null,
  actorIds,
  manualCode: '0f8fad5b-d9cb-469f-a165-70867728950e',
  username: emailAddress,
  incoming: {
    host: 'pop.example.test',
    port: 995,
    encryption: 'ssl',
    authType: 'plain',
    tlsTrust: { mode: 'system' },
  },
  outgoing: {
    host: 'smtp.example.test',
    port: 587,
    encryption: 'starttls',
    requiresAuth: false,
    tlsTrust: { mode: 'system' },
  },
});

async function mountView() {
  const wrapper = mount(ProfilesView, {
    attachTo: document.body,
    global: { stubs: { RouterLink: RouterLinkStub } },
  });
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  setActivePinia(createPinia());
  verify.mockReset();
  rows.current = [
    { oldestVerifiedAt: null, profile: profileOf('orphan@example.test', []), actors: [] },
    {
      oldestVerifiedAt: null,
      profile: profileOf('kept@example.test', ['a1']),
      actors: [{ actorId: 'a1', status: 'verified' }],
    },
  ];
});

describe('Email Profiles table', () => {
  it('shows a profile without actors as needing one, with a way to assign it', async () => {
    const wrapper = await mountView();
    const orphan = wrapper.find('[data-profile="orphan@example.test"]');
    expect(orphan.find('[data-label="Actors"]').text()).toContain(NO_ACTOR_MESSAGE);
    expect(orphan.find('[data-label="Actor Status"]').text()).toBe('No actor');
    const edit = orphan.find('[data-label="Actors"]').getComponent(RouterLinkStub);
    expect(edit.text()).toBe('edit the profile');
    expect(edit.props('to')).toEqual({ name: 'profile-edit', params: { id: 'p-0' } });

    // The other profile is shown as before.
    const kept = wrapper.find('[data-profile="kept@example.test"]');
    expect(kept.text()).not.toContain(NO_ACTOR_MESSAGE);
    expect(kept.find('[data-label="Actor Status"]').text()).toContain('Verified');
    wrapper.unmount();
  });

  it('lets Verify be clicked on it and shows why the Director refuses', async () => {
    const refusal = `${NO_ACTOR_MESSAGE}: edit orphan@example.test and choose at least one actor`;
    verify.mockRejectedValue(new Error(refusal));
    const wrapper = await mountView();
    const button = wrapper.find('button[aria-label="Verify orphan@example.test"]');
    expect(button.attributes('disabled')).toBeUndefined();
    await button.trigger('click');
    await flushPromises();
    expect(verify).toHaveBeenCalledWith({ profileId: 'p-0' });
    expect(wrapper.find('[role="alert"]').text()).toBe(refusal);
    wrapper.unmount();
  });
});

describe("the Director's own failure", () => {
  const failure = {
    stage: 'auth',
    origin: 'director',
    signal: 'smtp-535-5.7.8',
    summary: 'The SMTP server did not accept the username and password.',
    hint: "Check the username and password in the Director's Email Settings.",
    transient: false,
  } as const;

  it('is shown once for the profile, names no actor, and leads to Email Settings and manual mode', async () => {
    rows.current = [
      {
        oldestVerifiedAt: null,
        profile: profileOf('hq@example.test', ['a1', 'a2']),
        actors: [
          { actorId: 'a1', status: 'unverified', failure },
          { actorId: 'a2', status: 'unverified', failure },
        ],
      },
    ];
    const wrapper = await mountView();
    const status = wrapper.find('[data-profile="hq@example.test"] [data-label="Actor Status"]');
    expect(status.findAll('[data-testid="director-failure"]')).toHaveLength(1);
    expect(status.find('[data-testid="director-failure"]').text()).toContain(
      'The Director could not send the verification email: The SMTP server did not accept',
    );
    // No actor is asked "why": none was reached.
    expect(status.findAll('button').map((button) => button.text())).toEqual(['Why?']);
    expect(status.text()).not.toContain('Troubleshoot');
    expect(status.findAll('li').map((li) => li.text())).toEqual([
      expect.stringContaining('not reached'),
      expect.stringContaining('not reached'),
    ]);

    await status.find('button').trigger('click');
    await flushPromises();
    const dialog = wrapper.find('dialog');
    expect(dialog.text()).toContain('The Director could not send the email to hq@example.test');
    expect(dialog.text()).toContain('Where in the chain: The Director sending the coded email');
    expect(dialog.text()).not.toContain('Connectivity from');
    const links = wrapper
      .findAllComponents(RouterLinkStub)
      .filter((link) => dialog.element.contains(link.element as Node))
      .map((link) => link.props('to') as unknown);
    expect(links).toEqual([
      { name: 'email-settings' },
      { name: 'email-settings', hash: '#send-test' },
      { name: 'profile-edit', params: { id: 'p-2' } },
    ]);
    expect(dialog.text()).toContain('Send verification email manually');
    wrapper.unmount();
  });
});

describe('where the email landed', () => {
  it('shows Verified with a warning when it was found in Junk', async () => {
    rows.current = [
      {
        oldestVerifiedAt: null,
        profile: profileOf('hq@example.test', ['a1', 'a2']),
        actors: [
          { actorId: 'a1', status: 'verified', delivery: { folder: 'junk', folderName: 'Junk' } },
          { actorId: 'a2', status: 'verified' },
        ],
      },
    ];
    const wrapper = await mountView();
    const items = wrapper.findAll('[data-profile="hq@example.test"] .actor-statuses li');
    expect(items[0]?.text()).toContain('Verified');
    expect(items[0]?.find('[data-testid="found-in-junk"]').text()).toContain('Found in Junk');
    expect(items[1]?.find('[data-testid="found-in-junk"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('live', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows an actor's Online dot as the actors stream says, without a reload", async () => {
    const wrapper = await mountView();
    const dot = () =>
      wrapper.find('[data-profile="kept@example.test"] [data-label="Actors"] .dot').classes();
    expect(dot()).toContain('on');
    actorsStream.send?.({
      full: false,
      actors: [{ ...actors[0]!, connection: 'offline' }],
      removed: [],
    });
    await flushPromises();
    expect(dot()).not.toContain('on');
    expect(
      wrapper.find('[data-profile="kept@example.test"] [data-label="Actors"]').text(),
    ).toContain('(offline)');
    wrapper.unmount();
  });

  it('shows the time left to the deadline of a verification in progress, each second', async () => {
    vi.useFakeTimers({
      now: Date.parse('2030-01-01T00:00:00.000Z'),
      toFake: ['Date', 'setTimeout'],
    });
    rows.current = [
      {
        oldestVerifiedAt: null,
        profile: profileOf('hq@example.test', ['a1', 'a2']),
        actors: [
          { actorId: 'a1', status: 'in_progress', deadlineAt: '2030-01-01T00:01:42.000Z' },
          // Without a deadline, nothing is guessed.
          { actorId: 'a2', status: 'in_progress' },
        ],
      },
    ];
    const wrapper = await mountView();
    const left = () => wrapper.findAll('[data-testid="time-left"]').map((span) => span.text());
    expect(left()).toEqual(['Checking… 1:42 left']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(left()).toEqual(['Checking… 1:41 left']);
    await vi.advanceTimersByTimeAsync(101_000);
    expect(left()).toEqual(['Checking… 0:00 left']);
    // A timer: read when asked, not announced each second inside the live statuses.
    expect(wrapper.find('[data-testid="time-left"]').attributes()).toMatchObject({
      role: 'timer',
      'aria-live': 'off',
    });
    wrapper.unmount();
  });

  it('names Why? by what it shows, then what it does', async () => {
    const failure = {
      stage: 'auth',
      origin: 'actor',
      signal: 'imap-no-authenticationfailed',
      summary: 'The server refused the login.',
      hint: 'Check the user name and password.',
      transient: false,
    } as const;
    rows.current = [
      {
        oldestVerifiedAt: null,
        profile: profileOf('hq@example.test', ['a1', 'a2']),
        actors: [
          { actorId: 'a1', status: 'unverified', failure },
          { actorId: 'a2', status: 'unverified' },
        ],
      },
    ];
    const wrapper = await mountView();
    const buttons = wrapper
      .findAll('[data-profile="hq@example.test"] .actor-statuses button')
      .map((button) => [button.text(), button.attributes('aria-label')]);
    expect(buttons).toEqual([
      ['Why?', 'Why? Troubleshoot Branch actor on hq@example.test'],
      ['Details', 'Details: Troubleshoot HQ actor on hq@example.test'],
    ]);
    wrapper.unmount();
  });
});
