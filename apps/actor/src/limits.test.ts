import { describe, expect, inject, it } from 'vitest';
import { MAILBOX_CONCURRENCY, MailboxLimits, Semaphore } from './limits.js';
import { mailboxKey } from './transports.js';
import { graphProfile, imapProfile } from './testing/profiles.js';

const stack = inject('mailStack');
const [user1, user2] = stack.dovecot!.users;

describe('Semaphore', () => {
  it('admits up to its limit and hands a released slot to the next waiter in order', async () => {
    const semaphore = new Semaphore(2);
    const first = await semaphore.acquire();
    await semaphore.acquire();
    const order: number[] = [];
    const third = semaphore.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const fourth = semaphore.acquire().then(() => order.push(4));
    await Promise.resolve();
    expect(semaphore.queued).toBe(2);
    first();
    first(); // releasing twice frees one slot only
    (await third)();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(semaphore.inUse).toBe(2);
  });

  it('drops a waiter whose signal aborts', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(semaphore.queued).toBe(0);
    release();
    expect(semaphore.inUse).toBe(0);
  });
});

describe('MailboxLimits', () => {
  it('bounds Graph at 4 concurrent operations per mailbox, others independent', async () => {
    expect(MAILBOX_CONCURRENCY.graph).toBe(4);
    const limits = new MailboxLimits();
    const a = graphProfile('a@contoso.example');
    const releases = await Promise.all([1, 2, 3, 4].map(() => limits.acquire(a)));
    let fifth = false;
    const pending = limits.acquire(graphProfile('A@contoso.example')).then((release) => {
      fifth = true;
      return release;
    });
    const other = await limits.acquire(graphProfile('b@contoso.example'));
    await new Promise((r) => setTimeout(r, 10));
    expect(fifth).toBe(false);
    releases[0]!();
    (await pending)();
    expect(fifth).toBe(true);
    for (const release of releases) release();
    other();
    expect(limits.size).toBe(0);
  });

  it('keys mail server profiles by server, port and account; POP3 one at a time', async () => {
    const imap = imapProfile(stack, user1!);
    expect(mailboxKey(imap)).toBe(mailboxKey(imapProfile(stack, user1!)));
    expect(mailboxKey(imap)).not.toBe(mailboxKey(imapProfile(stack, user2!)));
    expect(mailboxKey(imap)).not.toBe(
      mailboxKey(imapProfile(stack, user1!, { serverType: 'pop3' })),
    );
    const limits = new MailboxLimits();
    const pop3 = imapProfile(stack, user1!, { serverType: 'pop3' });
    const release = await limits.acquire(pop3);
    const controller = new AbortController();
    const second = limits.acquire(pop3, controller.signal);
    controller.abort();
    await expect(second).rejects.toBeDefined();
    release();
    expect(limits.size).toBe(0);
  });
});
