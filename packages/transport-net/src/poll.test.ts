import { describe, expect, it } from 'vitest';
import { TransportError } from './errors.js';
import { pollForCode } from './poll.js';

const pace = { firstMs: 10, maxMs: 40, factor: 2 };
const request = (deadlineMs: number) => ({
  code: 'c',
  since: new Date(),
  deadline: new Date(Date.now() + deadlineMs),
});
const failureOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TransportError)) throw new Error('expected a TransportError');
  return error.failure;
};

describe('pollForCode', () => {
  it('looks until found and says whether the first look found it', async () => {
    let looks = 0;
    const found = await pollForCode(request(5000), 'pop3', pace, undefined, async () =>
      ++looks === 3 ? { subject: '(c)' } : undefined,
    );
    expect(found).toMatchObject({ found: true, subject: '(c)', via: 'poll' });
    expect(looks).toBe(3);
    expect(
      await pollForCode(request(5000), 'pop3', pace, undefined, async () => ({ subject: '(c)' })),
    ).toMatchObject({ via: 'search' });
  });

  it('reports the deadline as code-not-found at the search stage, also cutting a slow look short', async () => {
    expect(
      await failureOf(pollForCode(request(100), 'gmail', pace, undefined, async () => undefined)),
    ).toMatchObject({ stage: 'search', signal: 'code-not-found' });
    const started = Date.now();
    const slow = (_: number, signal: AbortSignal) =>
      new Promise<undefined>((resolve) => {
        signal.addEventListener('abort', () => {
          resolve(undefined);
        });
      });
    expect(
      await failureOf(pollForCode(request(100), 'graph', pace, undefined, slow)),
    ).toMatchObject({ signal: 'code-not-found' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('looks once when the deadline has passed already', async () => {
    let looks = 0;
    const look = async () => {
      looks += 1;
      return undefined;
    };
    expect(
      await failureOf(pollForCode(request(-1000), 'pop3', pace, undefined, look)),
    ).toMatchObject({ signal: 'code-not-found' });
    expect(looks).toBe(1);
  });

  it('passes on what a look throws, and stops on abort', async () => {
    const refused = new TransportError({
      stage: 'auth',
      protocol: 'pop3',
      serverText: '-ERR [AUTH] no',
    });
    expect(
      await failureOf(
        pollForCode(request(5000), 'pop3', pace, undefined, () => Promise.reject(refused)),
      ),
    ).toMatchObject({ signal: 'pop3-auth' });
    expect(
      await failureOf(
        pollForCode(request(5000), 'pop3', pace, AbortSignal.abort(), async () => undefined),
      ),
    ).toMatchObject({ signal: 'aborted' });
  });
});
