// Throttling, slow and malformed answers, unreachable endpoints, abort, leftover handles, and
// secrets kept out of every result.
import { describe, expect, it } from 'vitest';
import type { Failure } from '@email-profiles/core';
import { activeHandles, closedPort, settledHandles } from '@email-profiles/transport-net/testing';
import { throttled, unavailable } from './testing/fake-graph.js';
import { CODE, MAILBOX, expectNoSecrets, findRequest, useFakeGraph } from './testing/harness.js';

const h = useFakeGraph();
const message = { from: MAILBOX, to: MAILBOX, subject: 's', text: 't' };
const failures: Failure[] = [];

function failureOf(result: { ok: boolean } | { found: boolean }): Failure {
  const failure = (result as { failure?: Failure }).failure;
  if (!failure) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  failures.push(failure);
  return failure;
}

describe('throttling', () => {
  it('waits as Retry-After says and retries, a bounded number of times', async () => {
    h.fake.deliver(MAILBOX, `(${CODE})`);
    h.fake.interrupt('graph', throttled('0'), unavailable('0'));
    const found = await h.transport().findCode(findRequest());
    expect(found).toMatchObject({ found: true, via: 'search' });
    expect(h.fake.graphRequests()).toHaveLength(3);
  });

  it('honours a Retry-After of one second', async () => {
    h.fake.interrupt('graph', throttled('1'));
    const started = Date.now();
    expect((await h.transport().send(message)).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it.each([
    [
      '429',
      throttled('0'),
      'ApplicationThrottled: Application is over its MailboxConcurrency limit.',
    ],
    ['503', unavailable('0'), 'ServiceUnavailable: Service is temporarily unavailable.'],
  ])('reports %s beyond the retry bound as throttled', async (_, answer, serverText) => {
    h.fake.interrupt('graph', answer, answer, answer);
    const failure = failureOf(await h.transport().send(message));
    expect(failure).toMatchObject({
      stage: 'throttled',
      signal: 'throttled',
      transient: true,
      serverText,
    });
    expect(h.fake.graphRequests()).toHaveLength(3);
  });

  it('does not wait for a Retry-After beyond the find deadline', async () => {
    h.fake.interrupt('graph', throttled('30'));
    const started = Date.now();
    const failure = failureOf(await h.transport().findCode(findRequest({ deadlineMs: 1500 })));
    expect(failure).toMatchObject({ stage: 'throttled', signal: 'throttled' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries a throttled token request too', async () => {
    h.fake.interrupt('token', throttled('0'));
    expect((await h.transport().probe()).ok).toBe(true);
    expect(h.fake.tokenRequests).toBe(2);
  });
});

describe('slow, malformed and unreachable', () => {
  it('times out a Graph answer that never comes', async () => {
    h.fake.interrupt('graph', { kind: 'stall' });
    const started = Date.now();
    const failure = failureOf(await h.transport({}, { requestTimeoutMs: 300 }).send(message));
    expect(failure).toMatchObject({ stage: 'send', serverText: 'No answer within 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out a token answer that never comes, at the token step', async () => {
    h.fake.interrupt('token', { kind: 'stall' });
    const report = await h.transport({}, { requestTimeoutMs: 300 }).probe();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([['token', 'failed']]);
    expect(report.failure).toMatchObject({ stage: 'auth', serverText: 'No answer within 0.3 s' });
    failures.push(report.failure!);
  });

  it('reports a malformed JSON answer as a protocol violation', async () => {
    h.fake.interrupt('graph', { kind: 'malformed' });
    const failure = failureOf(await h.transport().findCode(findRequest()));
    expect(failure).toMatchObject({ stage: 'search', signal: 'protocol-violation' });
    expect(failure.hint).toContain('custom endpoints');

    h.fake.interrupt('token', { kind: 'malformed' });
    const report = await h.transport().probe();
    expect(report.failure).toMatchObject({ stage: 'auth', signal: 'protocol-violation' });
  });

  it.each([
    ['without an access token', { token_type: 'Bearer', expires_in: 3599 }],
    ['without expires_in', { token_type: 'Bearer', access_token: 'eyJ0eXAi.e30.c2ln' }],
  ])('refuses a token answer %s', async (_, body) => {
    h.fake.interrupt('token', { kind: 'status', status: 200, body });
    const report = await h.transport().probe();
    expect(report.failure).toMatchObject({ stage: 'auth', signal: 'protocol-violation' });
  });

  it('refuses an Inbox answer without its message count', async () => {
    h.fake.interrupt('graph', { kind: 'status', status: 200, body: { id: 'x' } });
    const report = await h.transport().probe();
    expect(report.failure).toMatchObject({ stage: 'mailbox', signal: 'protocol-violation' });
  });

  it('does not follow a nextLink that is not a Graph v1.0 link', async () => {
    h.fake.interrupt('graph', {
      kind: 'status',
      status: 200,
      body: { value: [{ id: 'a', subject: null }], '@odata.nextLink': 'https://evil.example/x' },
    });
    const result = await h.transport().findCode(findRequest({ deadlineMs: 0 }));
    expect(result).toMatchObject({ found: false, failure: { signal: 'code-not-found' } });
    // The Inbox's page, then Junk Email's: the foreign link is never requested.
    expect(h.fake.graphRequests().map((request) => request.path)).not.toContain('/x');
    expect(h.fake.graphRequests()).toHaveLength(2);
  });

  it('reports an unknown token error with a hint about the IDs', async () => {
    h.fake.interrupt('token', {
      kind: 'status',
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'AADSTS900144: The request body must contain the following parameter.',
        error_codes: [900144],
      },
    });
    const report = await h.transport().probe();
    expect(report.failure).toMatchObject({
      stage: 'auth',
      serverText:
        'invalid_request: AADSTS900144: The request body must contain the following parameter.',
      summary: 'Microsoft Entra ID did not issue an access token.',
    });
    expect(report.failure?.signal).toBeUndefined();
  });

  it('reports a non-JSON error page by its status and first words', async () => {
    h.fake.interrupt('graph', { kind: 'status', status: 502, body: undefined });
    const failure = failureOf(await h.transport().send(message));
    expect(failure).toMatchObject({ stage: 'send', serverText: 'HTTP 502' });
  });

  it('reports an endpoint nothing listens on, with an HTTPS hint', async () => {
    const port = await closedPort();
    const endpoints = { login: `http://127.0.0.1:${port}`, graph: `http://127.0.0.1:${port}` };
    const report = await h.transport({ endpoints }).probe();
    expect(report.failure).toMatchObject({ stage: 'tcp', signal: 'tcp-refused' });
    expect(report.failure?.hint).toContain(`127.0.0.1:${port} could not be reached over HTTPS`);
    failures.push(report.failure!);
  });
});

describe('abort', () => {
  it('stops a find that is polling', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 150);
    const started = Date.now();
    const result = await h
      .transport()
      .findCode(findRequest({ deadlineMs: 10_000 }), { signal: controller.signal });
    expect(failureOf(result)).toMatchObject({ signal: 'aborted', transient: true });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops a request that is waiting for its answer', async () => {
    h.fake.interrupt('graph', { kind: 'stall' });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 100);
    const sent = await h.transport().send(message, { signal: controller.signal });
    expect(failureOf(sent)).toMatchObject({ signal: 'aborted' });
  });

  it('does nothing when aborted before it starts', async () => {
    const sent = await h.transport().send(message, { signal: AbortSignal.abort() });
    expect(failureOf(sent)).toMatchObject({ signal: 'aborted' });
    expect(h.fake.requests).toEqual([]);
  });
});

describe('resources and secrets', () => {
  it('leaves no socket or timer behind, whatever the outcome', async () => {
    const before = activeHandles();
    const transport = h.transport({}, { requestTimeoutMs: 200 });
    await transport.probe();
    await transport.send(message);
    await transport.findCode(findRequest({ deadlineMs: 100 }));
    h.fake.deliver(MAILBOX, `(${CODE})`);
    await transport.findCode(findRequest());
    h.fake.interrupt('graph', { kind: 'stall' });
    await transport.send(message);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 50);
    await transport.findCode(findRequest({ deadlineMs: 5_000 }), { signal: controller.signal });
    expect(await settledHandles(before)).toEqual({});
  });

  it('never puts the client secret or an access token in a failure', () => {
    expect(failures.length).toBeGreaterThan(10);
    expectNoSecrets(failures, h.fake);
  });
});
