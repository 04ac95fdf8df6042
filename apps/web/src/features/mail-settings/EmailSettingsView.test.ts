import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicDirectorMailSettings } from '@email-profiles/core';
import EmailSettingsView from './EmailSettingsView.vue';

const stored: { current: PublicDirectorMailSettings | null } = { current: null };
const update = vi.fn((input: unknown) =>
  Promise.resolve({ ...(input as object), passwordSet: true }),
);
vi.mock('./api', () => ({
  mailSettingsApi: {
    get: () => Promise.resolve(stored.current),
    update: (input: unknown) => update(input),
    sendTest: vi.fn(),
  },
}));

async function settle() {
  for (let i = 0; i < 3; i += 1) {
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const field = (wrapper: VueWrapper, id: string) => wrapper.find(`[id="${id}"]`);
const errorOf = (wrapper: VueWrapper, id: string) => {
  const found = wrapper.find(`[id="${id}-error"]`);
  return found.exists() ? found.text() : undefined;
};

async function mountView() {
  const wrapper = mount(EmailSettingsView, { attachTo: document.body });
  await settle();
  return wrapper;
}

beforeEach(() => {
  setActivePinia(createPinia());
  stored.current = null;
  update.mockClear();
});

describe('Email Settings', () => {
  it('shows the fields of the chosen method, from the schema', async () => {
    const wrapper = await mountView();
    const methods = field(wrapper, 'method')
      .findAll('option')
      .map((o) => o.element.value);
    expect(methods).toEqual(['smtp', 'graph', 'gmail']);
    expect(field(wrapper, 'host').exists()).toBe(true);
    expect(field(wrapper, 'tenantId').exists()).toBe(false);
    await field(wrapper, 'method').setValue('graph');
    await settle();
    expect(field(wrapper, 'host').exists()).toBe(false);
    expect(field(wrapper, 'tenantId').exists()).toBe(true);
    await field(wrapper, 'method').setValue('gmail');
    await settle();
    expect(field(wrapper, 'tenantId').exists()).toBe(false);
    expect(field(wrapper, 'clientId').exists()).toBe(true);
    wrapper.unmount();
  });

  it('follows the encryption with the default port and hides the login without authentication', async () => {
    const wrapper = await mountView();
    const port = () => (field(wrapper, 'port').element as HTMLInputElement).value;
    expect(port()).toBe('587');
    await field(wrapper, 'encryption').setValue('ssl');
    await settle();
    expect(port()).toBe('465');
    await field(wrapper, 'encryption').setValue('off');
    await settle();
    expect(port()).toBe('25');
    expect(field(wrapper, 'username').exists()).toBe(true);
    expect(wrapper.find('[id="encryption-warning"]').text()).toBe(
      'With encryption Off the password is sent over the network in clear text',
    );
    await field(wrapper, 'requiresAuth').setValue(false);
    await settle();
    expect(field(wrapper, 'username').exists()).toBe(false);
    expect(field(wrapper, 'authType').exists()).toBe(false);
    expect(wrapper.find('[id="encryption-warning"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('requires a password until one is stored, then says "unchanged" and keeps it', async () => {
    const wrapper = await mountView();
    await field(wrapper, 'fromAddress').setValue('director@example.test');
    await field(wrapper, 'host').setValue('smtp.example.test');
    await field(wrapper, 'username').setValue('director');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(errorOf(wrapper, 'password')).toBe('Enter the password');
    expect(update).not.toHaveBeenCalled();
    wrapper.unmount();

    stored.current = {
      method: 'smtp',
      fromAddress: 'director@example.test',
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: 'director',
      tlsTrust: { mode: 'system' },
      passwordSet: true,
    };
    const again = await mountView();
    const password = field(again, 'password').element as HTMLInputElement;
    expect([password.value, password.placeholder]).toEqual(['', 'unchanged']);
    await again.find('form').trigger('submit');
    await settle();
    expect(update).toHaveBeenCalledTimes(1);
    expect(update.mock.calls[0]![0]).toMatchObject({
      method: 'smtp',
      username: 'director',
      password: '',
    });
    again.unmount();
  });

  it('asks for the password again once the server it goes to changes, and says why', async () => {
    stored.current = {
      method: 'smtp',
      fromAddress: 'director@example.test',
      host: 'smtp.example.test',
      port: 587,
      encryption: 'starttls',
      requiresAuth: true,
      authType: 'plain',
      username: 'director',
      tlsTrust: { mode: 'system' },
      passwordSet: true,
    };
    const wrapper = await mountView();
    const hint = () => wrapper.find('[id="password-hint"]').text();
    expect(hint()).toBe('Leave blank to keep the stored password');
    await field(wrapper, 'host').setValue('elsewhere.example.test');
    await settle();
    const reentry =
      'Enter the password again: the server address changed, so the stored password is not sent to it';
    expect(hint()).toBe(reentry);
    expect((field(wrapper, 'password').element as HTMLInputElement).placeholder).toBe('');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(errorOf(wrapper, 'password')).toBe(reentry);
    expect(update).not.toHaveBeenCalled();
    // Back to the stored server (written differently): blank keeps the password again.
    await field(wrapper, 'host').setValue('SMTP.example.test');
    await settle();
    expect(hint()).toBe('Leave blank to keep the stored password');
    await field(wrapper, 'port').setValue('2525');
    await field(wrapper, 'password').setValue('typed again');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(update).toHaveBeenCalledTimes(1);
    expect(update.mock.calls[0]![0]).toMatchObject({ port: 2525, password: 'typed again' });
    wrapper.unmount();
  });

  it('asks for the client secret again after a change of tenant', async () => {
    stored.current = {
      method: 'graph',
      fromAddress: 'director@contoso.example',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
      cloud: 'global',
    };
    const wrapper = await mountView();
    await field(wrapper, 'tenantId').setValue('fabrikam.onmicrosoft.com');
    await wrapper.find('form').trigger('submit');
    await settle();
    expect(errorOf(wrapper, 'clientSecret')).toBe(
      'Enter the client secret again: the tenant ID changed, so the stored client secret is not sent to it',
    );
    expect(update).not.toHaveBeenCalled();
    wrapper.unmount();
  });
});
