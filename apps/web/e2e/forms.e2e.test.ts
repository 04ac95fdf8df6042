// The forms and dialogs in Chromium, by keyboard where a user would use it: the profile form's step
// in the URL (Back and Forward keep the typed values and the step), the question before a changed
// form is left (Cancel, the app's links, Back, reload) and none once saved or unchanged, focus after
// Next and Back, on the first invalid field after a failed Next or Submit with one alert, and back on
// the opener after every way of closing each dialog.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LEAVE_QUESTION } from '../src/forms/leave-guard';
import { ADMIN, browserDialogs, onPage, startApp, type App } from './harness';

const stack = inject('mailStack');
const sender = stack.postfix!.users[0]!;
const ACTOR = 'forms-actor-1';
const CHECKED = 'checked@example.test';
const MANUAL = 'manual@example.test';

let app: App;
let page: Page;
let dialogs: ReturnType<typeof browserDialogs>;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
  dialogs = browserDialogs(page);
});

afterAll(async () => {
  await app.close();
});

const { byId, nav } = onPage(() => page);
const currentStep = () => page.locator('[aria-current="step"]').textContent();

/** The focused element: its id, else its accessible name as the test names it. */
function focused() {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return 'body';
    return element.id || element.getAttribute('aria-label') || element.textContent.trim();
  });
}
const expectFocus = (expected: string) => expect.poll(focused).toBe(expected);

/** Asks for the leave question with `act`, answers it, and returns it. */
async function leaveQuestion(act: () => Promise<unknown>, accept: boolean) {
  const asked = dialogs.answerNext(accept);
  await act();
  return asked;
}

async function openAddForm() {
  await nav('Email Actions');
  await page.getByRole('link', { name: 'Add Email Profile' }).click();
  await page.waitForURL('**/settings/email-actions/new');
  await expect(byId('serverType').inputValue()).resolves.toBe('imap');
}

async function fillAccount(address: string) {
  await byId('emailAddress').fill(address);
  await page.getByLabel(ACTOR, { exact: true }).check();
  await byId('username').fill(address);
  await byId('password').fill('a password');
}

describe('forms and dialogs in Chromium', () => {
  it('first run: the administrator, a zone and an enrolled actor', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    // Nothing typed: one summary, and the first field to fix focused.
    await page.getByRole('button', { name: 'Create administrator' }).press('Enter');
    await expectFocus('email');
    await expect(page.getByRole('alert').allTextContents()).resolves.toEqual([
      '2 fields need attention: Email, Password.',
    ]);
    await byId('email').fill(ADMIN.email);
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/settings/email-actions');
    await nav('Actors and Security Zones');
    await byId('zone-name').fill('Forms');
    await page.getByRole('button', { name: 'Add zone' }).click();
    await page.locator('.zone-name', { hasText: 'Forms' }).waitFor();
    await page.getByRole('button', { name: 'Add actor' }).click();
    await byId('actor-zone').selectOption({ label: 'Forms' });
    await byId('actor-name').fill(ACTOR);
    await page.getByRole('button', { name: 'Create enrollment token' }).click();
    const shown = async (id: string) => (await page.getByTestId(id).textContent()) ?? '';
    const commands = {
      download: await shown('download-command'),
      enroll: await shown('enroll-command'),
    };
    await page.getByRole('button', { name: 'Done' }).click();
    await app.installActor(commands);
    await page
      .locator('tr', { hasText: ACTOR })
      .locator('.badge.online')
      .waitFor({ timeout: 30_000 });
  });

  it('Email Settings: asks before a changed form is left or reloaded, not when unchanged or saved', async () => {
    const loaded = () => page.locator('fieldset[aria-busy="false"]').waitFor();
    await nav('Email Settings');
    await loaded();
    await page.reload();
    await loaded();
    await nav('Email Actions');
    await page.waitForURL('**/settings/email-actions');
    expect(dialogs.unexpected).toEqual([]);

    await nav('Email Settings');
    await byId('fromAddress').fill(sender.address);
    const question = await leaveQuestion(() => nav('Email Actions'), false);
    expect(question).toEqual({ type: 'confirm', message: LEAVE_QUESTION });
    expect(new URL(page.url()).pathname).toBe('/settings/email');
    const prompt = await leaveQuestion(
      () =>
        page.evaluate(() => {
          location.reload();
        }),
      false,
    );
    expect(prompt.type).toBe('beforeunload');
    await expect(byId('fromAddress').inputValue()).resolves.toBe(sender.address);

    // Settings the Director cannot send with (a wrong password), for the "Why?" dialog below.
    await byId('host').fill('127.0.0.1');
    await byId('port').fill(String(stack.postfix!.ports.submission));
    await byId('smtp.tlsTrust.mode').selectOption('ca');
    await byId('smtp.tlsTrust.pem').fill(stack.tls.caPem);
    await byId('username').fill(sender.username);
    await byId('password').fill('not-the-senders-password');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await nav('Email Actions');
    await page.waitForURL('**/settings/email-actions');
    await page.reload();
    expect(dialogs.unexpected).toEqual([]);
  });

  it('keeps the step in the URL: Back and Forward move between steps with the typed values, focused on the first field', async () => {
    await openAddForm();
    await fillAccount(CHECKED);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await expectFocus('incoming.host');
    await page.keyboard.type('127.0.0.1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL((url) => url.searchParams.get('step') === 'outgoing');
    await expectFocus('outgoing.host');

    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await expect(currentStep()).resolves.toContain('Incoming mail server');
    await expect(byId('incoming.host').inputValue()).resolves.toBe('127.0.0.1');
    await expectFocus('incoming.host');
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('step') === null);
    await expect(currentStep()).resolves.toContain('Account');
    await expect(byId('emailAddress').inputValue()).resolves.toBe(CHECKED);
    await expect(page.getByLabel(ACTOR, { exact: true }).isChecked()).resolves.toBe(true);
    await expectFocus('serverType');
    await page.goForward();
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await expect(byId('incoming.host').inputValue()).resolves.toBe('127.0.0.1');
    await page.goForward();
    await page.waitForURL((url) => url.searchParams.get('step') === 'outgoing');

    // The form's own Back button: the previous step, focused on its first field.
    await page.getByRole('button', { name: 'Back' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await expectFocus('incoming.host');

    // A reload loses the draft (after asking): the form starts again at the first step.
    const asked = dialogs.answerNext(true);
    await page.reload();
    expect((await asked).type).toBe('beforeunload');
    await page.waitForURL((url) => url.pathname.endsWith('/new') && url.search === '');
    await expect(currentStep()).resolves.toContain('Account');
    await expect(byId('emailAddress').inputValue()).resolves.toBe('');
    await expect(page.getByRole('region', { name: 'Account' }).count()).resolves.toBe(1);
    await nav('Email Actions');
    await page.waitForURL('**/settings/email-actions');
    expect(dialogs.unexpected).toEqual([]);
  });

  it('asks before a changed profile form is left by Cancel, a link or Back; not when unchanged or saved', async () => {
    await openAddForm();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL('**/settings/email-actions');
    expect(dialogs.unexpected).toEqual([]);

    await openAddForm();
    await byId('emailAddress').fill(MANUAL);
    for (const leave of [
      () => page.getByRole('button', { name: 'Cancel' }).click(),
      () => nav('Email Settings'),
      () => page.goBack(),
    ]) {
      const question = await leaveQuestion(leave, false);
      expect(question).toEqual({ type: 'confirm', message: LEAVE_QUESTION });
      await page.waitForURL('**/settings/email-actions/new');
      await expect(byId('emailAddress').inputValue()).resolves.toBe(MANUAL);
    }
    await leaveQuestion(() => page.getByRole('button', { name: 'Cancel' }).click(), true);
    await page.waitForURL('**/settings/email-actions');

    // Saved: no question on the way to the list.
    await openAddForm();
    await byId('sendVerificationManually').check();
    await fillAccount(MANUAL);
    await page.getByRole('button', { name: 'Next' }).click();
    await byId('incoming.host').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Next' }).click();
    await byId('outgoing.host').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/settings/email-actions');
    await page.locator(`tr[data-profile="${MANUAL}"]`).waitFor();

    // Editing: unchanged leaves at once; changed asks.
    const edit = () => page.getByRole('link', { name: `Edit ${MANUAL}` }).click();
    await edit();
    await expect(byId('emailAddress').inputValue()).resolves.toBe(MANUAL);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL('**/settings/email-actions');
    await edit();
    await byId('username').fill('someone@example.test');
    await leaveQuestion(() => page.getByRole('link', { name: '← Email Profiles' }).click(), true);
    await page.waitForURL('**/settings/email-actions');
    expect(dialogs.unexpected).toEqual([]);
  });

  it('by keyboard: a failed Next or Submit focuses the first invalid field and announces one summary', async () => {
    await openAddForm();
    await byId('emailAddress').focus();
    await page.keyboard.press('Enter');
    await expectFocus('emailAddress');
    const alerts = page.getByRole('alert');
    await alerts.first().waitFor();
    await expect(alerts.allTextContents()).resolves.toEqual([
      '4 fields need attention: Email Address, Select Actor(s), Account Username, Account Password.',
    ]);
    await app.screenshot('profile-form-invalid');
    await expect(byId('emailAddress').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(byId('emailAddress').getAttribute('aria-describedby')).resolves.toContain(
      'emailAddress-error',
    );

    await page.keyboard.type(CHECKED);
    await page.keyboard.press('Tab'); // the zone filter
    await page.keyboard.press('Tab');
    await expectFocus((await page.getByLabel(ACTOR, { exact: true }).getAttribute('id')) ?? ACTOR);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await expectFocus('username');
    await page.keyboard.type(CHECKED);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a password');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await expectFocus('incoming.host');
    await expect(alerts.count()).resolves.toBe(0);
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === 'outgoing');
    await expectFocus('outgoing.host');

    // Enter on the last step submits; the empty server address stops it.
    await page.keyboard.press('Enter');
    await alerts.first().waitFor();
    await expect(alerts.allTextContents()).resolves.toEqual([
      '1 field needs attention: SMTP Server Address.',
    ]);
    await expectFocus('outgoing.host');
    await page.keyboard.type('127.0.0.1');
    await alerts.first().waitFor({ state: 'detached' });

    // An error on the first step, found by Submit on the last: that step, at its invalid field.
    await page.goBack();
    await page.goBack();
    await page.waitForURL((url) => url.searchParams.get('step') === null);
    await byId('emailAddress').fill('');
    await page.goForward();
    await page.goForward();
    await page.waitForURL((url) => url.searchParams.get('step') === 'outgoing');
    await page.getByRole('button', { name: 'Submit' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === null);
    await expectFocus('emailAddress');
    await expect(alerts.allTextContents()).resolves.toEqual([
      '1 field needs attention: Email Address.',
    ]);
    await page.keyboard.type(CHECKED);
    await page.getByRole('button', { name: 'Next' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === 'incoming');
    await page.getByRole('button', { name: 'Next' }).press('Enter');
    await page.waitForURL((url) => url.searchParams.get('step') === 'outgoing');
    await page.getByRole('button', { name: 'Submit' }).press('Enter');
    await page.waitForURL('**/settings/email-actions');
    await page.locator(`tr[data-profile="${CHECKED}"]`).waitFor();
    expect(dialogs.unexpected).toEqual([]);
  });

  it('every other form: a failed submit focuses the first invalid field and announces one summary', async () => {
    const alerts = page.getByRole('alert');
    const expectOneSummary = async (text: string, within: Page | Locator = page) => {
      const shown = within.getByRole('alert');
      await shown.first().waitFor();
      await expect(shown.allTextContents()).resolves.toEqual([text]);
    };
    await nav('Actors and Security Zones');
    // A zone's name: empty, then one already taken (the Director's refusal lands on the field).
    await page.getByRole('button', { name: 'Add zone' }).press('Enter');
    await expectFocus('zone-name');
    await expectOneSummary('1 field needs attention: New zone.');
    await byId('zone-name').fill('Forms');
    await page.getByRole('button', { name: 'Add zone' }).press('Enter');
    await expectFocus('zone-name');
    await expectOneSummary('1 field needs attention: New zone.');
    // Add actor: the zone must be chosen, and the actor named.
    await page.getByRole('button', { name: 'Add actor' }).click();
    await page.getByRole('button', { name: 'Create enrollment token' }).press('Enter');
    await expectFocus('actor-zone');
    await expectOneSummary(
      '2 fields need attention: Security Zone, Actor name.',
      page.getByRole('dialog'),
    );
    await page.keyboard.press('Escape');

    await page.locator('dialog').waitFor({ state: 'detached' });

    await nav('Email Settings');
    await page.locator('fieldset[aria-busy="false"]').waitFor();
    await byId('fromAddress').fill('');
    await page.getByRole('button', { name: 'Save settings' }).press('Enter');
    await expectFocus('fromAddress');
    await expectOneSummary('1 field needs attention: From address.');
    await byId('fromAddress').fill(sender.address);
    await alerts.first().waitFor({ state: 'detached' });
    await byId('test-to').fill('not an address');
    await byId('test-to').press('Enter');
    await expectFocus('test-to');
    await expectOneSummary('1 field needs attention: Send a test email to.');
    // The settings are as saved again: nothing to ask about on leaving.
    await nav('Email Actions');
    await page.waitForURL('**/settings/email-actions');
    expect(dialogs.unexpected).toEqual([]);
  });

  describe('each dialog gives focus back to its opener, however it closes', () => {
    /** Opens the dialog from `opener` by keyboard, closes it each way, checking focus after each. */
    async function closesBackToOpener(opener: Locator, footer: string) {
      const name = await opener.evaluate(
        (element) => element.getAttribute('aria-label') ?? element.textContent.trim(),
      );
      const dialog = page.getByRole('dialog');
      const closes: Record<string, () => Promise<void>> = {
        [footer]: () => dialog.getByRole('button', { name: footer, exact: true }).press('Enter'),
        '×': () => dialog.getByRole('button', { name: 'Close dialog' }).press('Enter'),
        Escape: () => page.keyboard.press('Escape'),
      };
      for (const [how, close] of Object.entries(closes)) {
        await opener.focus();
        await page.keyboard.press('Enter');
        await dialog.waitFor();
        // Every button in the dialog has a name of its own.
        const names = await dialog
          .getByRole('button')
          .evaluateAll((buttons) =>
            buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent.trim()),
          );
        expect(new Set(names).size, names.join(' | ')).toBe(names.length);
        await close();
        // Gone from the page, not only closed (a closed <dialog> has no role to find).
        await page.locator('dialog').waitFor({ state: 'detached' });
        await expect.poll(focused, { message: `focus after closing by ${how}` }).toBe(name);
      }
    }

    it('Add actor, Revoke actor and Delete zone: Cancel, × and Escape', async () => {
      await nav('Actors and Security Zones');
      await closesBackToOpener(page.getByRole('button', { name: 'Add actor' }), 'Cancel');
      await closesBackToOpener(page.getByRole('button', { name: `Revoke ${ACTOR}` }), 'Cancel');
      await closesBackToOpener(page.getByRole('button', { name: 'Delete Forms' }), 'Cancel');
    });

    it('Details (troubleshoot), View UUID Code and Delete: their footer button, × and Escape', async () => {
      await nav('Email Actions');
      const checked = page.locator(`tr[data-profile="${CHECKED}"]`);
      const manual = page.locator(`tr[data-profile="${MANUAL}"]`);
      await closesBackToOpener(
        checked.getByRole('button', { name: `Troubleshoot ${ACTOR} on ${CHECKED}` }),
        'Close',
      );
      await closesBackToOpener(
        manual.getByRole('button', { name: `View UUID Code of ${MANUAL}` }),
        'Close',
      );
      await closesBackToOpener(manual.getByRole('button', { name: `Delete ${MANUAL}` }), 'Cancel');
    });

    it('Why the Director could not send: Close, × and Escape', async () => {
      await nav('Email Actions');
      const checked = page.locator(`tr[data-profile="${CHECKED}"]`);
      await checked.getByRole('button', { name: `Verify ${CHECKED}` }).click();
      const why = checked.getByRole('button', {
        name: `Why the Director could not send the email to ${CHECKED}`,
      });
      await why.waitFor({ timeout: 60_000 });
      await closesBackToOpener(why, 'Close');
      expect(dialogs.unexpected).toEqual([]);
    });
  });
});
