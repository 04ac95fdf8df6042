// The app-only token: cached until shortly before expiry, shared by concurrent operations, never
// cached when the request failed.
import { describe, expect, it } from 'vitest';
import { activeHandles, settledHandles } from '@email-profiles/transport-net/testing';
import { clearGraphTokenCache } from './token.js';
import { unavailable } from './testing/fake-graph.js';
import { CODE, MAILBOX, SECRET, findRequest, useFakeGraph } from './testing/harness.js';

const h = useFakeGraph();
const message = { from: MAILBOX, to: MAILBOX, subject: 's', text: 't' };

describe('Graph token cache', () => {
  it('reuses a token across operations until shortly before it expires', async () => {
    const transport = h.transport();
    expect((await transport.send(message)).ok).toBe(true);
    expect((await transport.send({ ...message, subject: `(${CODE})` })).ok).toBe(true);
    // Another transport for the same tenant, app and secret shares it too.
    expect((await h.transport().findCode(findRequest({ deadlineMs: 0 }))).found).toBe(true);
    expect(h.fake.tokenRequests).toBe(1);
  });

  it('does not keep a token that expires within five minutes', async () => {
    h.app.expiresIn = 299;
    await h.transport().send(message);
    await h.transport().send(message);
    expect(h.fake.tokenRequests).toBe(2);
  });

  it('makes one token request for operations that start together', async () => {
    h.fake.deliver(MAILBOX, `(${CODE})`);
    h.fake.interrupt('token', { kind: 'delay', ms: 100 });
    const transport = h.transport();
    const results = await Promise.all([
      transport.send(message),
      transport.findCode(findRequest()),
      h.transport().probe(),
      transport.send(message),
    ]);
    expect(results.map((r) => ('ok' in r ? r.ok : r.found))).toEqual([true, true, true, true]);
    // The probe asks for a fresh token, but joins the request already in flight.
    expect(h.fake.tokenRequests).toBe(1);
  });

  it('keeps the shared request going when one waiting caller gives up', async () => {
    h.fake.interrupt('token', { kind: 'delay', ms: 200 });
    const controller = new AbortController();
    const first = h.transport().send(message, { signal: controller.signal });
    const second = h.transport().send(message);
    setTimeout(() => {
      controller.abort();
    }, 50);
    expect(await first).toMatchObject({ ok: false, failure: { signal: 'aborted' } });
    expect(await second).toMatchObject({ ok: true });
    expect(h.fake.tokenRequests).toBe(1);
  });

  it('cancels the token request when every caller gives up, leaving nothing open', async () => {
    const before = activeHandles();
    h.fake.interrupt('token', { kind: 'stall' });
    const controller = new AbortController();
    const both = Promise.all([
      h.transport().send(message, { signal: controller.signal }),
      h.transport().probe({ signal: controller.signal }),
    ]);
    setTimeout(() => {
      controller.abort();
    }, 50);
    const [sent, report] = await both;
    expect(sent).toMatchObject({ ok: false, failure: { signal: 'aborted' } });
    expect(report.failure).toMatchObject({ signal: 'aborted' });
    expect(await settledHandles(before)).toEqual({});
    // The cancelled request is not cached: the next operation asks again, and succeeds.
    expect((await h.transport().send(message)).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(2);
  });

  it('does not cache a failed token request', async () => {
    h.fake.interrupt('token', unavailable(), unavailable(), unavailable());
    expect(await h.transport().send(message)).toMatchObject({
      ok: false,
      failure: { stage: 'throttled' },
    });
    expect((await h.transport().send(message)).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(4);
  });

  it('keeps tokens apart per secret, and forgets them all on clear', async () => {
    h.fake.addApp({ ...h.app, secret: `${SECRET}-rotated` });
    await h.transport().send(message);
    await h.transport({ clientSecret: `${SECRET}-rotated` }).send(message);
    expect(h.fake.tokenRequests).toBe(2);
    clearGraphTokenCache();
    await h.transport().send(message);
    expect(h.fake.tokenRequests).toBe(3);
  });

  it('drops a token Graph refuses, so the next operation gets a new one', async () => {
    await h.transport().send(message);
    h.fake.revokeTokens();
    expect(await h.transport().send(message)).toMatchObject({
      ok: false,
      failure: {
        stage: 'auth',
        serverText: 'InvalidAuthenticationToken: Access token has expired or is not yet valid.',
      },
    });
    expect((await h.transport().send(message)).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(2);
  });

  it('drops a token that lacks the permission Graph refused, so a granted one shows', async () => {
    h.app.roles = ['Mail.Read'];
    expect((await h.transport().send(message)).ok).toBe(false);
    h.app.roles = ['Mail.Read', 'Mail.Send'];
    expect((await h.transport().send(message)).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(2);
  });

  it('keeps a token that has the permission when Graph refuses for another reason', async () => {
    const mailbox = h.fake.mailboxes.get(MAILBOX);
    if (mailbox) mailbox.blockedByPolicy = true;
    expect((await h.transport().send(message)).ok).toBe(false);
    expect((await h.transport().send(message)).ok).toBe(false);
    expect(h.fake.tokenRequests).toBe(1);
  });
});
