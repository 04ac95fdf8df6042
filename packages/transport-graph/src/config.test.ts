import { describe, expect, it } from 'vitest';
import { cloudEndpoints, resolveGraph, resolveOptions, defaultGraphOptions } from './config.js';
import { sendMailBody } from './send.js';
import { tokenRoles } from './token.js';

const base = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b',
  clientSecret: 's',
  emailAddress: 'actor+1@contoso.example',
} as const;

describe('endpoints', () => {
  it.each([
    ['global', 'https://login.microsoftonline.com', 'https://graph.microsoft.com'],
    ['usgov', 'https://login.microsoftonline.us', 'https://graph.microsoft.us'],
    ['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'],
  ] as const)('%s cloud', (cloud, login, graph) => {
    expect(cloudEndpoints[cloud]).toEqual({ login, graph });
    expect(resolveGraph({ ...base, cloud })).toEqual({
      login,
      graph,
      scope: `${graph}/.default`,
      tokenUrl: `${login}/contoso.onmicrosoft.com/oauth2/v2.0/token`,
      mailboxUrl: `${graph}/v1.0/users/actor%2B1%40contoso.example`,
    });
  });

  it('overrides only where requests go: the scope stays the cloud’s Graph resource', () => {
    const resolved = resolveGraph({
      ...base,
      cloud: 'usgov',
      endpoints: { login: 'https://proxy.example/login/', graph: 'https://proxy.example/graph//' },
    });
    expect(resolved).toMatchObject({
      tokenUrl: 'https://proxy.example/login/contoso.onmicrosoft.com/oauth2/v2.0/token',
      mailboxUrl: 'https://proxy.example/graph/v1.0/users/actor%2B1%40contoso.example',
      scope: 'https://graph.microsoft.us/.default',
    });
  });

  it('fills options from the defaults', () => {
    expect(resolveOptions()).toEqual(defaultGraphOptions);
    expect(resolveOptions({ pageSize: 10, retry: undefined })).toEqual({
      ...defaultGraphOptions,
      pageSize: 10,
    });
  });
});

describe('the roles claim of an access token', () => {
  const jwt = (claims: unknown) =>
    `eyJ0eXAiOiJKV1QifQ.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

  it('reads application permissions from the payload (base64url JSON)', () => {
    expect(tokenRoles(jwt({ roles: ['Mail.Read', 'Mail.Send'], tid: 'x' }))).toEqual([
      'Mail.Read',
      'Mail.Send',
    ]);
    // base64url, not base64: these claims encode with "-" and "_".
    const roles = ['Mail.Send', '?>?>~~~'];
    expect(tokenRoles(jwt({ roles, note: '>>>???' }))).toEqual(roles);
  });

  it('takes a missing claim as no permission at all', () => {
    expect(tokenRoles(jwt({ tid: 'x' }))).toEqual([]);
  });

  it('says "unknown" for what is not a JWT', () => {
    expect(tokenRoles('EwBopaqueToken')).toBeUndefined();
    expect(tokenRoles('a..c')).toBeUndefined();
    expect(tokenRoles('a.bm90IGpzb24.c')).toBeUndefined();
    expect(tokenRoles(jwt(42))).toBeUndefined();
    expect(tokenRoles(jwt({ roles: 'Mail.Read' }))).toBeUndefined();
  });
});

describe('the sendMail body', () => {
  const config = { ...base, cloud: 'global' as const };
  const message = { from: 'ACTOR+1@contoso.example', to: 'x@y.example', subject: 's', text: 't' };

  it('sends as the mailbox itself, without a from, and keeps no copy', () => {
    expect(sendMailBody(config, message)).toEqual({
      message: {
        subject: 's',
        body: { contentType: 'Text', content: 't' },
        toRecipients: [{ emailAddress: { address: 'x@y.example' } }],
      },
      saveToSentItems: false,
    });
  });

  it('names another sender, or a display name, in from', () => {
    expect(sendMailBody(config, { ...message, from: 'other@contoso.example' })).toMatchObject({
      message: { from: { emailAddress: { address: 'other@contoso.example' } } },
    });
    expect(sendMailBody(config, { ...message, fromName: 'Director' })).toMatchObject({
      message: { from: { emailAddress: { address: message.from, name: 'Director' } } },
    });
  });
});
