import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { ActorListItem, PublicEmailProfile, SecurityZone } from '@email-profiles/core';
import { TRPCClientError } from '@trpc/client';
import { toUpdateInput, type ProfileDraft } from './draft';
import ProfileForm from './ProfileForm.vue';

const zones: SecurityZone[] = [
  { id: 'z-dmz', name: 'DMZ' },
  { id: 'z-lan', name: 'LAN' },
];
const actors: ActorListItem[] = [
  {
    id: 'a1',
    name: 'dmz-01',
    zoneId: 'z-dmz',
    zoneName: 'DMZ',
    connection: 'online',
    lastSeenAt: null,
  },
  {
    id: 'a2',
    name: 'lan-01',
    zoneId: 'z-lan',
    zoneName: 'LAN',
    connection: 'offline',
    lastSeenAt: null,
  },
];

/** Lets vee-validate's asynchronous validation run and the DOM update. */
async function settle() {
  for (let i = 0; i < 3; i += 1) {
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function mountForm(
  submit: (draft: ProfileDraft) => Promise<void> = vi.fn(() => Promise.resolve()),
  profile?: PublicEmailProfile,
) {
  return mount(ProfileForm, {
    props: { zones, actors, submit, profile },
    global: { stubs: { RouterLink: true } },
    attachTo: document.body,
  });
}

const field = (wrapper: VueWrapper, id: string) => wrapper.find(`[id="${id}"]`);
const errorOf = (wrapper: VueWrapper, id: string) =>
  wrapper.find(`[id="${id}-error"]`).exists()
    ? wrapper.find(`[id="${id}-error"]`).text()
    : undefined;
const button = (wrapper: VueWrapper, text: string) => {
  const found = wrapper.findAll('button').find((b) => b.text() === text);
  if (!found) throw new Error(`no button "${text}"`);
  return found;
};

async function fillAccount(wrapper: VueWrapper) {
  await field(wrapper, 'emailAddress').setValue('actor1@example.test');
  await field(wrapper, 'actor-a1').setValue(true);
  await field(wrapper, 'username').setValue('actor1@example.test');
  await field(wrapper, 'password').setValue('secret password');
  await settle();
}

describe('ProfileForm (IMAP / POP3, three steps)', () => {
  it('shows inline errors from the core schema as you type, and clears them when fixed', async () => {
    const wrapper = mountForm();
    await field(wrapper, 'emailAddress').setValue('actor1');
    await settle();
    expect(errorOf(wrapper, 'emailAddress')).toBe(
      'An email address needs an "@", like name@example.com',
    );
    await field(wrapper, 'emailAddress').setValue('actor1@example.test');
    await settle();
    expect(errorOf(wrapper, 'emailAddress')).toBeUndefined();
    await field(wrapper, 'username').setValue('nobody');
    await settle();
    expect(errorOf(wrapper, 'username')).toBe('Use the form user@domain or DOMAIN\\user');
    wrapper.unmount();
  });

  it('stays on the account step until its fields are valid', async () => {
    const wrapper = mountForm();
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect(errorOf(wrapper, 'emailAddress')).toBe('Enter an email address');
    expect(errorOf(wrapper, 'actorIds')).toBe('Select at least one actor');
    expect(errorOf(wrapper, 'password')).toBe('Enter the account password');
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Account');
    await fillAccount(wrapper);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Incoming mail server');
    expect(field(wrapper, 'incoming.host').exists()).toBe(true);
    wrapper.unmount();
  });

  it('fills default ports from the protocol and encryption, keeping a port the user typed', async () => {
    const wrapper = mountForm();
    await fillAccount(wrapper);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    const port = () => (field(wrapper, 'incoming.port').element as HTMLInputElement).value;
    expect(port()).toBe('993');
    await field(wrapper, 'incoming.encryption').setValue('starttls');
    await settle();
    expect(port()).toBe('143');
    await button(wrapper, 'Back').trigger('click');
    await settle();
    await field(wrapper, 'serverType').setValue('pop3');
    await settle();
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect(port()).toBe('110');
    await field(wrapper, 'incoming.port').setValue('10110');
    await field(wrapper, 'incoming.encryption').setValue('ssl');
    await settle();
    expect(port()).toBe('10110');
    wrapper.unmount();
  });

  it('shows the SMTP auth type only when authentication is required, and warns on a port/encryption mismatch', async () => {
    const wrapper = mountForm();
    await fillAccount(wrapper);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await field(wrapper, 'incoming.host').setValue('imap.example.test');
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Outgoing mail server');
    // The seed's defaults: encryption Off, so port 25; no auth type until it is required.
    expect((field(wrapper, 'outgoing.port').element as HTMLInputElement).value).toBe('25');
    expect((field(wrapper, 'outgoing.encryption').element as HTMLSelectElement).value).toBe('off');
    expect(field(wrapper, 'outgoing.authType').exists()).toBe(false);
    await field(wrapper, 'outgoing.requiresAuth').setValue(true);
    await settle();
    expect(field(wrapper, 'outgoing.authType').exists()).toBe(true);
    expect(wrapper.find('[id="outgoing.encryption-warning"]').text()).toBe(
      'With encryption Off the password is sent over the network in clear text',
    );
    await field(wrapper, 'outgoing.encryption').setValue('ssl');
    await field(wrapper, 'outgoing.port').setValue('587');
    await settle();
    expect(wrapper.find('[id="outgoing.encryption-warning"]').text()).toMatch(
      /^Port 587 usually speaks plain text first/,
    );
    await field(wrapper, 'outgoing.port').setValue('465');
    await settle();
    expect(wrapper.find('[id="outgoing.encryption-warning"]').exists()).toBe(false);
    await field(wrapper, 'outgoing.requiresAuth').setValue(false);
    await settle();
    expect(field(wrapper, 'outgoing.authType').exists()).toBe(false);
    wrapper.unmount();
  });

  it('submits the draft, and puts a server-side field error on its field and step', async () => {
    const submit = vi.fn<(draft: ProfileDraft) => Promise<void>>();
    submit.mockRejectedValueOnce(
      new TRPCClientError('Refused', {
        result: {
          error: {
            code: -32600,
            message: 'Refused',
            data: {
              code: 'BAD_REQUEST',
              httpStatus: 400,
              fieldErrors: [
                { path: ['incoming', 'port'], message: 'Port refused by the Director' },
              ],
            },
          },
        },
      }),
    );
    const wrapper = mountForm(submit);
    await fillAccount(wrapper);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await field(wrapper, 'incoming.host').setValue('imap.example.test');
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await field(wrapper, 'outgoing.host').setValue('smtp.example.test');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(submit).toHaveBeenCalledTimes(1);
    const draft = submit.mock.calls[0]![0];
    expect([draft.serverType, draft.emailAddress, draft.actorIds, draft.incoming.port]).toEqual([
      'imap',
      'actor1@example.test',
      ['a1'],
      993,
    ]);
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Incoming mail server');
    expect(errorOf(wrapper, 'incoming.port')).toBe('Port refused by the Director');
    wrapper.unmount();
  });
});

describe('ProfileForm (Graph, Gmail)', () => {
  it('is one step for Graph and validates the tenant, client ID and secret value', async () => {
    const wrapper = mountForm();
    await field(wrapper, 'serverType').setValue('graph');
    await settle();
    expect(wrapper.find('.stepper').exists()).toBe(false);
    expect(field(wrapper, 'username').exists()).toBe(false);
    await field(wrapper, 'tenantId').setValue('not a tenant');
    await field(wrapper, 'clientId').setValue('12345');
    await field(wrapper, 'clientSecret').setValue('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    await settle();
    expect(errorOf(wrapper, 'tenantId')).toMatch(/^Enter the Directory \(tenant\) ID as a GUID/);
    expect(errorOf(wrapper, 'clientId')).toMatch(/^The Application \(client\) ID is a GUID/);
    expect(errorOf(wrapper, 'clientSecret')).toMatch(/^This looks like the secret ID/);
    expect(button(wrapper, 'Submit').exists()).toBe(true);
    wrapper.unmount();
  });

  it('validates a Gmail OAuth client ID', async () => {
    const wrapper = mountForm();
    await field(wrapper, 'serverType').setValue('gmail');
    await settle();
    await field(wrapper, 'clientId').setValue('my-client');
    await settle();
    expect(errorOf(wrapper, 'clientId')).toMatch(/^A Google OAuth client ID looks like/);
    await field(wrapper, 'clientId').setValue('1234567890-abc123.apps.googleusercontent.com');
    await settle();
    expect(errorOf(wrapper, 'clientId')).toBeUndefined();
    wrapper.unmount();
  });
});

describe('ProfileForm (edit)', () => {
  const stored: PublicEmailProfile = {
    id: 'p1',
    serverType: 'imap',
    emailAddress: 'actor1@example.test',
    sendVerificationManually: false,
    schedule: 'default',
    zoneId: null,
    actorIds: ['a1'],
    manualCode: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    username: 'actor1@example.test',
    incoming: {
      host: 'imap.example.test',
      port: 10143,
      encryption: 'starttls',
      authType: 'plain',
      tlsTrust: { mode: 'fingerprint', sha256: 'ab'.repeat(32) },
    },
    outgoing: {
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: false,
      tlsTrust: { mode: 'system' },
    },
  };

  it('leaves the secret blank ("unchanged") and keeps it when submitted blank', async () => {
    const submit = vi.fn(() => Promise.resolve());
    const wrapper = mountForm(submit, stored);
    const password = field(wrapper, 'password').element as HTMLInputElement;
    expect([password.value, password.placeholder]).toEqual(['', 'unchanged']);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect((field(wrapper, 'incoming.port').element as HTMLInputElement).value).toBe('10143');
    expect((field(wrapper, 'incoming.tlsTrust.sha256').element as HTMLInputElement).value).toBe(
      'ab'.repeat(32),
    );
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(submit).toHaveBeenCalledTimes(1);
    const input = toUpdateInput('p1', (submit.mock.calls[0] as unknown as [ProfileDraft])[0]);
    expect(input).toMatchObject({ id: 'p1', password: '', incoming: { port: 10143 } });
    wrapper.unmount();
  });

  const hintOf = (wrapper: VueWrapper, id: string) =>
    wrapper.find(`[id="${id}-hint"]`).exists()
      ? wrapper.find(`[id="${id}-hint"]`).text()
      : undefined;
  const REENTRY =
    'Enter the password again: the incoming server changed, so the stored password is not sent to it';

  it('asks for the password again once a server it goes to changes, and says why', async () => {
    const submit = vi.fn(() => Promise.resolve());
    const wrapper = mountForm(submit, stored);
    expect(hintOf(wrapper, 'password')).toBe('Leave blank to keep the stored value');
    await button(wrapper, 'Next').trigger('click');
    await settle();
    expect(wrapper.find('#password-reentry').exists()).toBe(false);
    await field(wrapper, 'incoming.host').setValue('elsewhere.example.test');
    await settle();
    // Said on the step where the server changed, though the password is on the first step.
    expect(wrapper.find('#password-reentry').text()).toBe(`${REENTRY} (on the Account step).`);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(submit).not.toHaveBeenCalled();
    expect(wrapper.find('[aria-current="step"]').text()).toContain('Account');
    const password = field(wrapper, 'password').element as HTMLInputElement;
    expect(password.placeholder).toBe('');
    expect(errorOf(wrapper, 'password')).toBe(REENTRY);
    expect(wrapper.find('label[for="password"]').text()).toContain('*');

    await field(wrapper, 'password').setValue('typed again');
    await settle();
    expect(errorOf(wrapper, 'password')).toBeUndefined();
    expect(hintOf(wrapper, 'password')).toBe(REENTRY);
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(submit).toHaveBeenCalledTimes(1);
    expect(
      toUpdateInput('p1', (submit.mock.calls[0] as unknown as [ProfileDraft])[0]),
    ).toMatchObject({ password: 'typed again', incoming: { host: 'elsewhere.example.test' } });
    wrapper.unmount();
  });

  it('keeps the password for the same server written differently, and for other fields', async () => {
    const submit = vi.fn(() => Promise.resolve());
    const wrapper = mountForm(submit, stored);
    await field(wrapper, 'emailAddress').setValue('renamed@example.test');
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await field(wrapper, 'incoming.host').setValue(' IMAP.example.TEST ');
    await settle();
    expect(wrapper.find('#password-reentry').exists()).toBe(false);
    await button(wrapper, 'Next').trigger('click');
    await settle();
    await field(wrapper, 'outgoing.port').setValue('2525');
    await settle();
    expect(wrapper.find('#password-reentry').text()).toMatch(/the outgoing server changed/);
    await field(wrapper, 'outgoing.port').setValue('587');
    await settle();
    expect(wrapper.find('#password-reentry').exists()).toBe(false);
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(submit).toHaveBeenCalledTimes(1);
    wrapper.unmount();
  });

  it('asks for the password again after a switch between IMAP and POP3', async () => {
    const wrapper = mountForm(
      vi.fn(() => Promise.resolve()),
      stored,
    );
    await field(wrapper, 'serverType').setValue('pop3');
    await settle();
    expect(hintOf(wrapper, 'password')).toBe(
      'Enter the password again: the server type changed, so the stored password is not sent to it',
    );
    wrapper.unmount();
  });

  it('asks for the secret again after a change to another kind of account', async () => {
    const wrapper = mountForm(
      vi.fn(() => Promise.resolve()),
      stored,
    );
    await field(wrapper, 'serverType').setValue('gmail');
    await settle();
    const secret = field(wrapper, 'clientSecret').element as HTMLInputElement;
    expect(secret.placeholder).toBe('');
    await field(wrapper, 'clientId').setValue('1234567890-abc123.apps.googleusercontent.com');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(errorOf(wrapper, 'clientSecret')).toMatch(/^Enter the client secret/);
    wrapper.unmount();
  });
});
