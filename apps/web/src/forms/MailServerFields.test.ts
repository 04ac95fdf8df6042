// One mail server's fields in the three places that use them: the profile's incoming and outgoing
// steps and Email Settings; the port following the encryption; errors only once validated.
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, nextTick, ref, type Ref } from 'vue';
import { z } from 'zod';
import {
  authTypeLabels,
  authTypeSchema,
  defaultPort,
  incomingServerSchema,
  smtpAuthMechanismLabels,
  smtpAuthMechanismSchema,
  type IncomingServer,
  type OutgoingServer,
} from '@email-profiles/core';
import { selectOptions } from '../ui/options';
import type { ServerDraft } from './mail-server';
import MailServerFields from './MailServerFields.vue';
import { systemTrustDraft, trustOf } from './tls-trust';
import { useDraftForm } from './use-draft-form';
import { numberOrUndefined, zodSchema } from './zod-schema';

async function settle() {
  for (let i = 0; i < 3; i += 1) {
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const field = (wrapper: VueWrapper, id: string) => wrapper.find(`[id="${id}"]`);
const value = (wrapper: VueWrapper, id: string) =>
  (field(wrapper, id).element as HTMLInputElement).value;
const errorOf = (wrapper: VueWrapper, id: string) => {
  const found = wrapper.find(`[id="${id}-error"]`);
  return found.exists() ? found.text() : undefined;
};

const imapAuth = selectOptions(authTypeSchema.options, authTypeLabels);
const smtpAuth = selectOptions(smtpAuthMechanismSchema.options, smtpAuthMechanismLabels);
const LABELS = {
  host: 'Server Address',
  encryption: 'Encryption',
  port: 'Server Port',
  authType: 'Authentication Type',
};
const incoming = (): ServerDraft<IncomingServer> => ({
  host: '',
  port: defaultPort('imap', 'ssl'),
  encryption: 'ssl',
  authType: 'plain',
  tlsTrust: systemTrustDraft(),
});
const outgoing = (requiresAuth: boolean): ServerDraft<Required<OutgoingServer>> => ({
  host: '',
  port: defaultPort('smtp', 'off'),
  encryption: 'off',
  requiresAuth,
  authType: 'plain',
  tlsTrust: systemTrustDraft(),
});

type Draft = { incoming?: ServerDraft<IncomingServer> } & Record<string, unknown>;

/** A form around the fields: `incoming` validated by core's schema, the rest unchecked. */
function mountForm(
  initialValues: Draft,
  props: InstanceType<typeof MailServerFields>['$props'],
  options: { slot?: () => unknown; shown?: Ref<boolean> } = {},
) {
  const schema = z.object({ incoming: incomingServerSchema.optional() });
  let form: ReturnType<typeof useDraftForm<Draft>> | undefined;
  const Form = defineComponent({
    setup() {
      form = useDraftForm({
        validationSchema: zodSchema(schema, (values: Draft) => {
          const server = values.incoming;
          return {
            incoming: server && {
              ...server,
              port: numberOrUndefined(server.port),
              tlsTrust: trustOf(server.tlsTrust),
            },
          };
        }),
        initialValues,
      });
      return () =>
        h('form', [
          (options.shown?.value ?? true)
            ? h(MailServerFields, props, options.slot ? { auth: options.slot } : {})
            : null,
        ]);
    },
  });
  const wrapper = mount(Form, { attachTo: document.body });
  return { wrapper, form: () => form! };
}

describe('MailServerFields', () => {
  it('on the incoming step: address, encryption, port, certificate trust and auth type, at its path', async () => {
    const { wrapper } = mountForm(
      { incoming: incoming() },
      {
        path: 'incoming',
        protocol: 'imap',
        labels: {
          host: 'Server Address',
          hostHint: 'IP address or fully qualified domain name',
          encryption: 'Encryption',
          port: 'Server Port',
          authType: 'Authentication Type',
        },
        authTypes: imapAuth,
      },
    );
    await settle();
    for (const id of ['host', 'encryption', 'port', 'tlsTrust.mode', 'authType']) {
      expect(field(wrapper, `incoming.${id}`).exists(), id).toBe(true);
    }
    expect(field(wrapper, 'incoming.requiresAuth').exists()).toBe(false);
    expect(wrapper.find('label[for="incoming.port"]').text()).toContain('Server Port');
    expect(wrapper.find('[id="incoming.host-hint"]').text()).toBe(
      'IP address or fully qualified domain name',
    );
    const authTypes = field(wrapper, 'incoming.authType')
      .findAll('option')
      .map((option) => option.text());
    expect(authTypes).toEqual(['Plain', 'NTLM']);
    wrapper.unmount();
  });

  it('on the outgoing step: the auth type only while "requires authentication" is ticked', async () => {
    const { wrapper } = mountForm(
      { outgoing: outgoing(false) },
      {
        path: 'outgoing',
        protocol: 'smtp',
        labels: {
          host: 'SMTP Server Address',
          encryption: 'SMTP Encryption',
          port: 'SMTP Server Port',
          requiresAuth: 'SMTP Requires Authentication',
          authType: 'SMTP Authentication Type',
        },
        authTypes: imapAuth,
      },
    );
    await settle();
    // Encryption Off: no certificate to trust.
    expect(field(wrapper, 'outgoing.tlsTrust.mode').exists()).toBe(false);
    expect(wrapper.find('label[for="outgoing.requiresAuth"]').text()).toBe(
      'SMTP Requires Authentication',
    );
    expect(field(wrapper, 'outgoing.authType').exists()).toBe(false);
    await field(wrapper, 'outgoing.requiresAuth').setValue(true);
    await field(wrapper, 'outgoing.encryption').setValue('starttls');
    await settle();
    expect(field(wrapper, 'outgoing.authType').exists()).toBe(true);
    expect(field(wrapper, 'outgoing.tlsTrust.mode').exists()).toBe(true);
    wrapper.unmount();
  });

  it('in Email Settings: the fields at the top level, its trust ids, and its login in the auth slot', async () => {
    const { wrapper } = mountForm(
      { ...outgoing(true), encryption: 'starttls', port: 587 },
      {
        protocol: 'smtp',
        labels: {
          host: 'SMTP server address',
          encryption: 'Encryption',
          port: 'Port',
          requiresAuth: 'Requires authentication',
          authType: 'Authentication type',
        },
        authTypes: smtpAuth,
        trustIdPrefix: 'smtp',
      },
      { slot: () => h('input', { id: 'username' }) },
    );
    await settle();
    for (const id of ['host', 'encryption', 'port', 'smtp.tlsTrust.mode', 'requiresAuth']) {
      expect(field(wrapper, id).exists(), id).toBe(true);
    }
    expect(field(wrapper, 'authType').findAll('option')).toHaveLength(4);
    expect(field(wrapper, 'username').exists()).toBe(true);
    await field(wrapper, 'requiresAuth').setValue(false);
    await settle();
    expect(field(wrapper, 'authType').exists()).toBe(false);
    expect(field(wrapper, 'username').exists()).toBe(false);
    wrapper.unmount();
  });

  it('fills the default port of the protocol as the encryption changes', async () => {
    const { wrapper } = mountForm(
      { incoming: incoming(), outgoing: outgoing(false) },
      { path: 'incoming', protocol: 'imap', labels: LABELS, authTypes: imapAuth },
    );
    const steps: [string, string][] = [
      ['starttls', '143'],
      ['off', '143'],
      ['ssl', '993'],
    ];
    expect(value(wrapper, 'incoming.port')).toBe('993');
    for (const [encryption, port] of steps) {
      await field(wrapper, 'incoming.encryption').setValue(encryption);
      await settle();
      expect(value(wrapper, 'incoming.port'), encryption).toBe(port);
    }
    wrapper.unmount();

    const smtp = mountForm(
      { outgoing: outgoing(false) },
      { path: 'outgoing', protocol: 'smtp', labels: LABELS, authTypes: imapAuth },
    ).wrapper;
    expect(value(smtp, 'outgoing.port')).toBe('25');
    await field(smtp, 'outgoing.encryption').setValue('ssl');
    await settle();
    expect(value(smtp, 'outgoing.port')).toBe('465');
    smtp.unmount();
  });

  it('keeps a port the user typed, and fills a cleared one with the default', async () => {
    const { wrapper } = mountForm(
      { incoming: incoming() },
      { path: 'incoming', protocol: 'imap', labels: LABELS, authTypes: imapAuth },
    );
    await field(wrapper, 'incoming.port').setValue('10993');
    await field(wrapper, 'incoming.encryption').setValue('starttls');
    await settle();
    expect(value(wrapper, 'incoming.port')).toBe('10993');
    await field(wrapper, 'incoming.port').setValue('');
    await field(wrapper, 'incoming.encryption').setValue('ssl');
    await settle();
    expect(value(wrapper, 'incoming.port')).toBe('993');
    wrapper.unmount();
  });

  it('shows errors once a field is validated, not those found while it was hidden', async () => {
    const shown = ref(false);
    const { wrapper, form } = mountForm(
      { incoming: incoming() },
      { path: 'incoming', protocol: 'imap', labels: LABELS, authTypes: imapAuth },
      { shown },
    );
    await settle();
    // The schema has found the blank address; the field is shown only now, untouched.
    shown.value = true;
    await nextTick();
    expect(errorOf(wrapper, 'incoming.host')).toBeUndefined();
    await settle();
    expect(errorOf(wrapper, 'incoming.host')).toBeUndefined();
    await field(wrapper, 'incoming.host').setValue('no such host!');
    await settle();
    expect(errorOf(wrapper, 'incoming.host')).toBeDefined();
    // An error set by the form (the server's) shows on its field.
    form().setErrors({ 'incoming.port': 'Port refused' });
    await nextTick();
    expect(errorOf(wrapper, 'incoming.port')).toBe('Port refused');
    wrapper.unmount();
  });
});
