// The web app end to end, in Debian's Chromium: first-run setup, zones and actors (a real actor
// enrolled with the token the UI shows), Email Settings against the real Postfix, IMAP profiles
// through the three-step form verified live by the real actor against the real Dovecot, a wrong
// password with its hint, manual mode, the connectivity check, the Graph and Gmail forms, edit
// with a blank secret, delete. Screenshots of each screen go to e2e/screenshots/.
import type { Locator, Page } from 'playwright-core';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MailUser } from '@email-profiles/mail-stack';
import { verificationSubject } from '@email-profiles/core';
import { createSmtpTransport } from '@email-profiles/transport-smtp';
import { ADMIN, onPage, startApp, type App } from './harness';

const stack = inject('mailStack');
const sender = stack.postfix!.users[0]!;
const [user1, user2] = stack.dovecot!.users as [MailUser, MailUser];
const ACTOR = 'dmz-actor-1';
const VERIFY_MS = 60_000;

let app: App;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
});

afterAll(async () => {
  await app.close();
});

const { byId, nav } = onPage(() => page);
/** A profile's row; `type` tells apart two profiles of one address (IMAP and POP3). */
const row = (address: string, type = 'IMAP') =>
  page.locator(`tr[data-profile="${address}"]`, { hasText: type }).first();
const errorOf = (id: string) => page.locator(`[id="${id}-error"]`);

async function trust(prefix: string) {
  await byId(`${prefix}.tlsTrust.mode`).selectOption('fingerprint');
  await byId(`${prefix}.tlsTrust.sha256`).fill(stack.tls.fingerprintSha256);
}

/** Adds an IMAP (or POP3) profile through the three steps; returns its table row. */
async function addImapProfile(o: {
  pop3?: boolean;
  address: string;
  username: string;
  password: string;
  manual?: boolean;
  screenshots?: boolean;
}): Promise<Locator> {
  await nav('Email Actions');
  await page.getByRole('link', { name: 'Add Email Profile' }).click();
  await expect(byId('serverType').inputValue()).resolves.toBe('imap');
  if (o.pop3) await byId('serverType').selectOption('pop3');
  if (o.manual) await byId('sendVerificationManually').check();
  await byId('emailAddress').fill(o.address);
  await page.getByLabel(ACTOR, { exact: true }).check();
  await byId('username').fill(o.username);
  await byId('password').fill(o.password);
  await page.getByRole('button', { name: 'Next' }).click();

  await byId('incoming.host').fill('127.0.0.1');
  await expect(byId('incoming.port').inputValue()).resolves.toBe(o.pop3 ? '995' : '993');
  await byId('incoming.encryption').selectOption('starttls');
  await expect(byId('incoming.port').inputValue()).resolves.toBe(o.pop3 ? '110' : '143');
  await byId('incoming.port').fill(
    String(o.pop3 ? stack.dovecot!.ports.pop3 : stack.dovecot!.ports.imap),
  );
  await trust('incoming');
  if (o.screenshots) await app.screenshot('profile-form-incoming');
  await page.getByRole('button', { name: 'Next' }).click();

  await byId('outgoing.host').fill('127.0.0.1');
  await expect(byId('outgoing.port').inputValue()).resolves.toBe('25');
  await byId('outgoing.encryption').selectOption('starttls');
  await expect(byId('outgoing.port').inputValue()).resolves.toBe('587');
  await byId('outgoing.port').fill(String(stack.postfix!.ports.submission));
  await trust('outgoing');
  await expect(byId('outgoing.authType').count()).resolves.toBe(0);
  await byId('outgoing.requiresAuth').check();
  await byId('outgoing.authType').waitFor();
  if (o.screenshots) await app.screenshot('profile-form-outgoing');
  // The test mailboxes' account is not a Postfix login: this SMTP server takes mail unauthenticated.
  await byId('outgoing.requiresAuth').uncheck();
  await byId('outgoing.authType').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL('**/settings/email-actions');
  return row(o.address, o.pop3 ? 'POP3' : 'IMAP');
}

async function badge(r: Locator, status: 'verified' | 'unverified' | 'in_progress') {
  await r.locator(`li[data-actor="${ACTOR}"] .badge.${status}`).waitFor({ timeout: VERIFY_MS });
}

describe('the web app in Chromium', () => {
  it('first-run setup: creates the administrator, with inline errors from the core schema', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await byId('email').fill('admin');
    await byId('password').fill('short');
    await byId('email').focus();
    await expect(errorOf('email').textContent()).resolves.toBe(
      'An email address needs an "@", like name@example.com',
    );
    await expect(errorOf('password').textContent()).resolves.toBe('Use at least 12 characters');
    await app.screenshot('setup');
    await byId('email').fill(ADMIN.email);
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/settings/email-actions');
    await page.getByText('No email profiles yet').waitFor();
    const checklist = page.getByTestId('getting-started');
    await checklist.getByText('Getting started: 0 of 4 done').waitFor();
    await checklist.getByRole('link', { name: 'Add an actor' }).waitFor();
    await app.screenshot('profiles-empty');
  });

  it('logs out and back in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await byId('email').fill(ADMIN.email);
    await byId('password').fill('wrong password!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Wrong email or password').waitFor();
    await app.screenshot('login');
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/settings/email-actions');
  });

  it('sends an expired session to the login page, and back to where it was', async () => {
    // From a screen that makes no request in the background (the profiles table's live stream
    // would notice the expiry by itself).
    const loaded = page.waitForResponse((response) => response.url().includes('settings.mail.get'));
    await nav('Email Settings');
    await loaded;
    await app.context.clearCookies();
    await nav('Actors and Security Zones');
    await page.waitForURL(
      (url) => url.pathname === '/login' && url.searchParams.get('next') === '/settings/actors',
    );
    await byId('email').fill(ADMIN.email);
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/settings/actors');
  });

  it('adds a zone and an actor: the shown download, checksum and enroll commands work, and the downloaded actor comes online', async () => {
    await nav('Actors and Security Zones');
    await byId('zone-name').fill('DMZ');
    await page.getByRole('button', { name: 'Add zone' }).click();
    await page.locator('.zone-name', { hasText: 'DMZ' }).waitFor();
    await page.getByRole('button', { name: 'Add actor' }).click();
    await byId('actor-zone').selectOption({ label: 'DMZ' });
    await byId('actor-name').fill(ACTOR);
    await page.getByRole('button', { name: 'Create enrollment token' }).click();
    const shown = async (id: string) => (await page.getByTestId(id).textContent()) ?? '';
    const download = await shown('download-command');
    const enroll = await shown('enroll-command');
    expect(enroll).toMatch(
      /^sudo -u email-profiles-actor node \/opt\/email-profiles-actor\/email-profiles-actor\.mjs enroll --director http:\/\/127\.0\.0\.1:\d+ --token [A-Za-z0-9_][A-Za-z0-9_-]{42} --name dmz-actor-1 --zone DMZ --credential \/var\/lib\/email-profiles-actor\/actor\.json$/,
    );
    expect(enroll).toContain(`--director ${app.director.url} `);
    const unit = await shown('systemd-unit');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('User=email-profiles-actor');
    await app.screenshot('add-actor');
    await page.getByRole('button', { name: 'Done' }).click();
    // The commands as shown: the download is checked against the Director's SHA-256 (a shell
    // stops at a wrong one), and the one downloaded file, run by Node alone, enrolls and runs.
    const host = await app.installActor({ download, enroll });
    expect(statSync(join(host, 'actor.json')).mode & 0o777).toBe(0o600);
    // The list follows the actors stream while the screen is open.
    await page
      .locator('tr', { hasText: ACTOR })
      .locator('.badge.online')
      .waitFor({ timeout: 30_000 });
    await app.screenshot('actors');
  });

  it('saves the Email Settings and sends a test email through the real Postfix, step by step', async () => {
    // The stored settings arrive late (a slow network): what is typed meanwhile must not be lost.
    const slow = '**/api/trpc/*settings.mail.get*';
    await page.route(slow, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await nav('Email Settings');
    await expect(byId('fromAddress').isDisabled()).resolves.toBe(true);
    // Typing waits for the form to take input: once the stored settings are in it.
    await byId('fromAddress').fill(sender.address);
    await page.unroute(slow);
    await byId('host').fill('127.0.0.1');
    await expect(byId('port').inputValue()).resolves.toBe('587');
    await byId('port').fill(String(stack.postfix!.ports.submission));
    await byId('smtp.tlsTrust.mode').selectOption('ca');
    await byId('smtp.tlsTrust.pem').fill(stack.tls.caPem);
    await byId('username').fill(sender.username);
    await byId('password').fill(sender.password);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(byId('password').getAttribute('placeholder')).resolves.toBe('unchanged');
    await byId('test-to').fill(user1.address);
    await page.getByRole('button', { name: 'Send test email' }).click();
    const result = page.getByTestId('test-result');
    await result.getByText(/^Sent in \d+ ms/).waitFor({ timeout: 30_000 });
    await result.locator('[data-step="tls"]').waitFor();
    await app.screenshot('email-settings');
  });

  it('creates an IMAP profile in three steps and sees it become Verified live', async () => {
    const r = await addImapProfile({
      address: user1.address,
      username: user1.username,
      password: user1.password,
      screenshots: true,
    });
    await badge(r, 'unverified');
    await r.getByRole('button', { name: `Verify ${user1.address}` }).click();
    await badge(r, 'verified');
    // Every first-run step is done: the checklist has gone.
    await page.getByTestId('getting-started').waitFor({ state: 'detached' });
    await app.screenshot('profiles-verified');
  });

  it('blames a broken Director sender on the Director, once, never on the actor', async () => {
    await nav('Email Settings');
    await byId('password').fill('not-the-senders-password');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    try {
      await nav('Email Actions');
      const r = row(user1.address);
      await r.getByRole('button', { name: `Verify ${user1.address}` }).click();
      const notice = r.getByTestId('director-failure');
      await notice.waitFor({ timeout: VERIFY_MS });
      await expect(notice.textContent()).resolves.toMatch(
        /could not send .*did not accept the username and password/s,
      );
      await r.locator(`li[data-actor="${ACTOR}"]`).getByText('not reached').waitFor();
      await expect(
        r.getByRole('button', { name: `Troubleshoot ${ACTOR} on ${user1.address}` }).count(),
      ).resolves.toBe(0);
      await notice.getByRole('button', { name: /^Why the Director could not send/ }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Failed at: Login.').waitFor();
      await expect(dialog.textContent()).resolves.not.toContain(ACTOR);
      await expect(dialog.locator('.hint-text').textContent()).resolves.not.toMatch(/actor/i);
      await app.screenshot('director-failure');
      await dialog.getByRole('link', { name: 'Open Email Settings' }).click();
      await page.waitForURL('**/settings/email');
    } finally {
      await nav('Email Settings');
      await byId('password').fill(sender.password);
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByText('Settings saved.').waitFor();
    }
    // Corrected, the next Verify reaches the actor again (and later tests start from Verified).
    await nav('Email Actions');
    await row(user1.address)
      .getByRole('button', { name: `Verify ${user1.address}` })
      .click();
    await badge(row(user1.address), 'verified');
    await expect(row(user1.address).getByTestId('director-failure').count()).resolves.toBe(0);
  });

  it('shows a wrong password as Unverified with the login hint and the diagnostic stages', async () => {
    const r = await addImapProfile({
      address: user2.address,
      username: user2.username,
      password: 'not-the-password',
    });
    await r.getByRole('button', { name: `Verify ${user2.address}` }).click();
    await r.getByRole('button', { name: `Troubleshoot ${ACTOR} on ${user2.address}` }).waitFor({
      timeout: VERIFY_MS,
    });
    await badge(r, 'unverified');
    await r.getByRole('button', { name: `Troubleshoot ${ACTOR} on ${user2.address}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Failed at: Login.').waitFor();
    await expect(dialog.locator('.hint-text').textContent()).resolves.toMatch(/^What to do: \S/);
    // The attempt's chain: sent by the Director's Postfix, taken by the actor, stopped at login.
    const chain = dialog.locator('.attempts > li').first();
    await chain
      .locator('[data-link="sent"].done')
      .getByText(/127\.0\.0\.1:\d+/)
      .waitFor();
    await chain.locator('[data-link="received"].done').waitFor();
    await chain.locator('[data-link="opened"].failed').waitFor();
    await chain.locator('[data-link="found"].not_reached').waitFor();
    await dialog.getByRole('button', { name: 'Run connectivity check' }).click();
    await dialog.locator('[data-step="auth"].failed').waitFor({ timeout: VERIFY_MS });
    await dialog.locator('[data-step="starttls"].ok').first().waitFor();
    await expect(dialog.getByTestId('check-summary').first().textContent()).resolves.toMatch(
      /^Incoming ✗ Login: \S/,
    );
    await app.screenshot('troubleshoot');
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
  });

  it('manual mode: shows the UUID, To and subject, and becomes Verified after the email is sent', async () => {
    await addImapProfile({
      address: user2.address,
      username: user2.username,
      password: user2.password,
      manual: true,
    });
    const r = page.locator(`tr[data-profile="${user2.address}"]`, {
      hasText: 'Manual verification',
    });
    await r.getByRole('button', { name: `View UUID Code of ${user2.address}` }).click();
    const dialog = page.getByRole('dialog');
    const code = (await dialog.getByTestId('uuid-code').textContent()) ?? '';
    expect(code).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await expect(dialog.getByTestId('uuid-to').textContent()).resolves.toBe(user2.address);
    await expect(dialog.getByTestId('uuid-subject').textContent()).resolves.toBe(
      verificationSubject(code),
    );
    await app.screenshot('uuid-code');
    const sent = await createSmtpTransport({
      host: '127.0.0.1',
      port: stack.postfix!.ports.submission,
      encryption: 'starttls',
      tlsTrust: { mode: 'ca', pem: stack.tls.caPem },
      auth: { type: 'plain', username: sender.username, password: sender.password },
    }).send({
      from: sender.address,
      to: user2.address,
      subject: verificationSubject(code),
      text: 'Manual',
    });
    expect(sent.ok).toBe(true);
    await dialog.getByRole('button', { name: 'Verify' }).click();
    await badge(r, 'verified');
  });

  it('creates a POP3 profile the same way, with the POP3 default ports', async () => {
    const r = row(user1.address, 'POP3');
    await addImapProfile({
      pop3: true,
      address: user1.address,
      username: user1.username,
      password: user1.password,
    });
    await r.getByRole('button', { name: `Verify ${user1.address}` }).click();
    await badge(r, 'verified');
  });

  it('runs a connectivity check: each stage appears with its timing', async () => {
    await nav('Email Actions');
    await row(user1.address)
      .getByRole('link', { name: `Run connectivity check for ${user1.address}` })
      .click();
    await page.getByRole('button', { name: 'Run connectivity check' }).click();
    const result = page.getByTestId('check-result');
    await result.getByText('· finished').waitFor({ timeout: VERIFY_MS });
    await result.locator('.badge.verified', { hasText: 'Connected' }).waitFor();
    // One line says it all; the passing steps are folded away until asked for.
    await expect(result.getByTestId('check-summary').textContent()).resolves.toBe(
      'Incoming ✓ · Outgoing ✓',
    );
    await result.getByText('Every step passed: show them').click();
    await result.locator('[data-step="mailbox"][data-server="incoming"].ok').waitFor();
    for (const step of ['tcp', 'greeting', 'starttls', 'auth', 'mailbox']) {
      // The incoming (IMAP) and outgoing (SMTP) servers each report their stages.
      await result.locator(`[data-step="${step}"].ok`).first().waitFor();
    }
    await expect(
      result.locator('[data-step="starttls"] pre').first().textContent(),
    ).resolves.toContain(stack.tls.fingerprintSha256);
    // One short line per actor is announced; no live region holds another (or the transcripts).
    await expect(result.getByTestId('check-announcement').textContent()).resolves.toBe(
      `${ACTOR}: Incoming ✓ · Outgoing ✓`,
    );
    const live = '[aria-live], [role="status"], [role="alert"], [role="log"]';
    await expect(
      page
        .locator(live)
        .evaluateAll(
          (regions, selector) => regions.filter((r) => r.parentElement?.closest(selector)).length,
          live,
        ),
    ).resolves.toBe(0);
    await app.screenshot('connectivity');
  });

  it('tests before saving: Send test email with changed settings, a check of an unsaved profile, nothing stored', async () => {
    const storedSettings = () =>
      page.evaluate(async () => {
        const response = await fetch('/api/trpc/settings.mail.get');
        return ((await response.json()) as { result: { data: { fromName?: string } } }).result.data;
      });
    await nav('Email Settings');
    const before = await storedSettings();
    const savedName = await byId('fromName').inputValue();
    await byId('fromName').fill('Typed, not saved');
    await page.getByTestId('test-unsaved').waitFor();
    await byId('test-to').fill(user1.address);
    const sendDraft = page.getByRole('button', { name: 'Send test email with these settings' });
    await sendDraft.click();
    const result = page.getByTestId('test-result');
    await result.getByText(/^Sent in \d+ ms.*The settings are not saved yet\./).waitFor({
      timeout: 30_000,
    });
    // A wrong password typed: the attempt stops at the login, in Postfix's words.
    await byId('password').fill('WrongPasswordNotSaved');
    await sendDraft.click();
    await result.locator('[data-step="auth"].failed').waitFor({ timeout: 30_000 });
    expect(await storedSettings()).toEqual(before);
    // Back as stored: nothing to test as a draft, nothing to save.
    await byId('fromName').fill(savedName);
    await byId('password').fill('');
    await page.getByRole('button', { name: 'Send test email', exact: true }).waitFor();

    // An unsaved profile, checked from its actor on the last step: its wrong password shows at
    // the login; cancelling leaves no profile behind.
    await nav('Email Actions');
    const rows = await page.locator('tr[data-profile]').count();
    await page.getByRole('link', { name: 'Add Email Profile' }).click();
    await byId('emailAddress').fill(user2.address);
    await page.getByLabel(ACTOR, { exact: true }).check();
    await byId('username').fill(user2.username);
    await byId('password').fill('WrongPasswordNotSaved');
    await page.getByRole('button', { name: 'Next' }).click();
    await byId('incoming.host').fill('127.0.0.1');
    await byId('incoming.encryption').selectOption('starttls');
    await byId('incoming.port').fill(String(stack.dovecot!.ports.imap));
    await trust('incoming');
    await page.getByRole('button', { name: 'Next' }).click();
    await byId('outgoing.host').fill('127.0.0.1');
    await byId('outgoing.port').fill(String(stack.postfix!.ports.smtp));
    await page.getByRole('button', { name: `Check from ${ACTOR}` }).click();
    const check = page.getByTestId('draft-check');
    await check.locator('[data-step="auth"][data-server="incoming"].failed').waitFor({
      timeout: VERIFY_MS,
    });
    await expect(check.getByTestId('check-summary').textContent()).resolves.toMatch(
      /^Incoming ✗ Login: .*AUTHENTICATIONFAILED.* · Outgoing ✓$/,
    );
    await app.screenshot('profile-form-check');
    // A server name the actor cannot resolve: the hint carries the seed's advice on actors with
    // several interfaces on one subnet set up by DHCP.
    await page.getByRole('button', { name: 'Back' }).click();
    await byId('incoming.host').fill('mail.nx.invalid');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: `Check from ${ACTOR}` }).click();
    const dns = check.locator('[data-step="dns"][data-server="incoming"].failed');
    await dns.waitFor({ timeout: VERIFY_MS });
    await expect(dns.textContent()).resolves.toContain(
      'several network interfaces on one subnet set up by DHCP',
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL('**/settings/email-actions');
    await expect(page.locator('tr[data-profile]').count()).resolves.toBe(rows);
  });

  it('edits a profile with the secret left blank: kept for the same servers, asked again for others', async () => {
    const edit = async () => {
      await nav('Email Actions');
      await row(user1.address)
        .getByRole('link', { name: `Edit ${user1.address}` })
        .click();
    };
    const submitSteps = async () => {
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Submit' }).click();
    };
    // Nothing the password goes to changes: blank keeps it, and the actor stays verified.
    await edit();
    await expect(byId('password').getAttribute('placeholder')).resolves.toBe('unchanged');
    await expect(byId('emailAddress').inputValue()).resolves.toBe(user1.address);
    await submitSteps();
    await page.waitForURL('**/settings/email-actions');
    await badge(row(user1.address), 'verified');

    // Another port of the same server: another destination, so the password is asked again.
    await edit();
    await page.getByRole('button', { name: 'Next' }).click();
    await byId('incoming.port').fill(String(stack.dovecot!.ports.imapNoIdle));
    await expect(page.locator('#password-reentry').textContent()).resolves.toContain(
      'Enter the password again: the incoming server changed',
    );
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect(errorOf('password').textContent()).resolves.toBe(
      'Enter the password again: the incoming server changed, so the stored password is not sent to it',
    );
    await byId('password').fill(user1.password);
    await submitSteps();
    await page.waitForURL('**/settings/email-actions');
    const r = row(user1.address);
    await badge(r, 'unverified');
    await r.getByRole('button', { name: `Verify ${user1.address}` }).click();
    await badge(r, 'verified');
  });

  it('validates the Graph and Gmail IDs as you type, and asks for Google consent after saving', async () => {
    await nav('Email Actions');
    await page.getByRole('link', { name: 'Add Email Profile' }).click();
    await byId('serverType').selectOption('graph');
    await byId('tenantId').fill('not a tenant');
    await byId('clientId').fill('12345');
    await byId('clientSecret').fill('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    await byId('emailAddress').focus();
    await expect(errorOf('tenantId').textContent()).resolves.toMatch(
      /^Enter the Directory \(tenant\) ID as a GUID/,
    );
    await expect(errorOf('clientId').textContent()).resolves.toMatch(
      /^The Application \(client\) ID is a GUID/,
    );
    await expect(errorOf('clientSecret').textContent()).resolves.toMatch(
      /^This looks like the secret ID/,
    );
    await byId('tenantId').fill('contoso.onmicrosoft.com');
    await errorOf('tenantId').waitFor({ state: 'detached' });
    await app.screenshot('profile-form-graph');

    await byId('serverType').selectOption('gmail');
    await byId('clientId').fill('my-client');
    await expect(errorOf('clientId').textContent()).resolves.toMatch(
      /^A Google OAuth client ID looks like/,
    );
    await byId('clientId').fill('1234567890-abc123.apps.googleusercontent.com');
    await byId('clientSecret').fill('GOCSPX-not-a-real-secret');
    await byId('emailAddress').fill('mailbox@gmail.example');
    await page.getByLabel(ACTOR, { exact: true }).check();
    await page.getByRole('button', { name: 'Submit' }).click();
    const consent = page.getByTestId('oauth-consent');
    await consent.getByText('Consent not done').waitFor();
    await consent.getByRole('button', { name: 'Authorise with Google' }).waitFor();
    await app.screenshot('gmail-consent');
  });

  it('deletes a profile after confirmation', async () => {
    await nav('Email Actions');
    const r = row('mailbox@gmail.example', 'Gmail API');
    await r.getByText('Google consent missing').waitFor();
    await r.getByRole('button', { name: 'Delete mailbox@gmail.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(r.count()).resolves.toBe(1);
    await r.getByRole('button', { name: 'Delete mailbox@gmail.example' }).click();
    await app.screenshot('delete-profile');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete profile' }).click();
    await r.waitFor({ state: 'detached' });
  });

  it('fits every screen into 390 px, is keyboard usable, and broke no Content Security Policy rule', async () => {
    await nav('Email Actions');
    await row(user1.address).waitFor();
    await app.screenshot('profiles-table');
    const edit = await row(user1.address)
      .getByRole('link', { name: `Edit ${user1.address}` })
      .getAttribute('href');
    const profileId = /email-actions\/([^/]+)\/edit/.exec(edit ?? '')?.[1];
    expect(profileId).toBeDefined();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const screens: [name: string, path: string, ready: () => Promise<void>][] = [
        ['profiles', '/settings/email-actions', () => row(user1.address).waitFor()],
        ['profile-form', '/settings/email-actions/new', () => byId('emailAddress').waitFor()],
        [
          'profile-form-incoming',
          `/settings/email-actions/${profileId!}/edit?step=incoming`,
          () => byId('incoming.host').waitFor(),
        ],
        [
          'connectivity',
          `/settings/email-actions/${profileId!}/connectivity`,
          () => page.getByRole('heading', { level: 1 }).waitFor(),
        ],
        [
          'email-settings',
          '/settings/email',
          () => page.locator('fieldset[aria-busy="false"]').waitFor(),
        ],
        [
          'actors',
          '/settings/actors',
          () => page.getByRole('button', { name: 'Add actor' }).waitFor(),
        ],
      ];
      for (const [name, path, ready] of screens) {
        await page.goto(path);
        await ready();
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow, `${name} is wider than 390 px`).toBeLessThanOrEqual(0);
        await app.screenshot(`${name}-390`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    await page.goto('/settings/email-actions');
    await row(user1.address).waitFor();
    // Keyboard: the skip link first, then the navigation, reachable with Tab.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
      'Skip to content',
    );
    // The failed login earlier answered 401, which the browser logs; nothing else may appear.
    const unexpected = app.pageErrors.filter(
      (error) =>
        !error.startsWith('Failed to load resource: the server responded with a status of 401'),
    );
    expect(unexpected).toEqual([]);
  });
});
