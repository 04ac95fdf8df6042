import { describe, expect, it } from 'vitest';
import { TransportError } from '@email-profiles/transport-net';
import { googleErrors } from './fake-google.js';
import { googleWords, isThrottled, redact, toTransportError } from './errors.js';

describe('googleWords', () => {
  it('reads an OAuth error', () => {
    expect(googleWords(googleErrors.invalidGrant)).toEqual({
      text: 'invalid_grant: Token has been expired or revoked.',
      reasons: ['invalid_grant'],
    });
    expect(googleWords({ error: 'invalid_client' })).toEqual({
      text: 'invalid_client',
      reasons: ['invalid_client'],
    });
  });

  it('reads an API error: status, reasons from details and errors, message', () => {
    expect(googleWords(googleErrors.serviceDisabled)).toMatchObject({
      text: expect.stringMatching(
        /^PERMISSION_DENIED \(SERVICE_DISABLED, accessNotConfigured\): Gmail API has not been used/,
      ),
      reasons: ['PERMISSION_DENIED', 'SERVICE_DISABLED', 'accessNotConfigured'],
    });
    expect(googleWords({ error: { code: 500, message: 'Backend Error' } })).toEqual({
      text: 'Backend Error',
      reasons: [],
    });
  });

  it('bounds a body that is not JSON, and ignores what it cannot read', () => {
    expect(googleWords(`  <h1>Bad\n gateway</h1>${'z'.repeat(1000)}`).text).toHaveLength(300);
    expect(googleWords(null)).toEqual({ reasons: [] });
    expect(googleWords({ error: 42 })).toEqual({ reasons: [] });
    expect(googleWords({ something: 'else' })).toEqual({ reasons: [] });
  });
});

describe('isThrottled', () => {
  const response = (status: number, data: unknown = {}) => ({ status, data, headers: undefined });
  it.each([
    [response(429), true],
    [response(503), true],
    [response(403, googleErrors.userRateLimited), true],
    [response(403, googleErrors.insufficientScope), false],
    [response(500), false],
  ])('%j → %s', (r, expected) => {
    expect(isThrottled(r)).toBe(expected);
  });
});

describe('toTransportError', () => {
  it('keeps Google words, redacted, and never the original error as the cause', () => {
    const error = Object.assign(new Error('Request failed'), {
      config: { url: 'https://oauth2.googleapis.com/token', data: 'client_secret=s3cret-value' },
      response: {
        status: 400,
        data: { error: 'invalid_grant', error_description: 'bad s3cret-value' },
      },
    });
    const mapped = toTransportError(error, 'auth', ['s3cret-value']);
    expect(mapped.observation).toEqual({
      stage: 'auth',
      protocol: 'gmail',
      httpStatus: 400,
      host: 'oauth2.googleapis.com',
      serverText: 'invalid_grant: bad [redacted]',
    });
    expect(mapped.cause).toBeUndefined();
  });

  it('keeps network error codes for the taxonomy', () => {
    const error = Object.assign(new Error('request to http://127.0.0.1:1/token failed'), {
      code: 'ECONNREFUSED',
    });
    expect(toTransportError(error, 'auth', []).failure).toMatchObject({ signal: 'tcp-refused' });
  });

  it('passes TransportErrors through', () => {
    const error = new TransportError({ stage: 'send', message: 'x' });
    expect(toTransportError(error, 'auth', [])).toBe(error);
  });

  it('redacts every secret', () => {
    expect(redact('a abcd b abcd c xy', ['abcd', 'xy'])).toBe('a [redacted] b [redacted] c xy');
  });
});
