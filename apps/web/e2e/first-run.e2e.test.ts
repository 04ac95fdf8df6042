// The first five minutes, in Chromium: the getting-started checklist follows what is done (an
// actor, mail settings or manual mode, a profile, a verification), and Verify refused for want of
// mail settings offers both ways out, one of which (manual mode) this test takes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_SETTINGS_MISSING } from '@email-profiles/core';
import { ADMIN, onPage, startApp, type App } from './harness';

const ADDRESS = 'first-run@example.test';

let app: App;
let page: Page;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
});
afterAll(async () => {
  await app.close();
});

const { operatorCall } = onPage(() => page);

const checklist = () => page.getByTestId('getting-started');
const step = (id: string) => checklist().locator(`li[data-step="${id}"]`);

describe('the first run', () => {
  it('guides through actor, mail settings or manual mode, profile and verification', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.locator('[id="email"]').fill(ADMIN.email);
    await page.locator('[id="password"]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/settings/email-actions');
    await checklist().getByText('Getting started: 0 of 4 done').waitFor();
    await expect(step('actor').getByRole('link', { name: 'Add an actor' }).count()).resolves.toBe(
      1,
    );
    await expect(step('mail').getByRole('link', { name: 'Email Settings' }).count()).resolves.toBe(
      1,
    );

    // An actor enrolls (not started: enough for the profile's assignment).
    const zone = await operatorCall<{ id: string }>('zones.create', { name: 'DMZ' });
    const { token } = await operatorCall<{ token: string }>('actors.createEnrollmentToken', {
      zoneId: zone.id,
    });
    const actor = await operatorCall<{ actorId: string }>('actorApi.enroll', {
      enrollmentToken: token,
      name: 'first-actor',
    });
    await operatorCall('profiles.create', {
      serverType: 'imap',
      emailAddress: ADDRESS,
      actorIds: [actor.actorId],
      username: ADDRESS,
      password: 'A password of the first run',
      incoming: {
        host: '127.0.0.1',
        port: 993,
        encryption: 'ssl',
        authType: 'plain',
        tlsTrust: { mode: 'system' },
      },
      outgoing: { host: '127.0.0.1', port: 25, encryption: 'off', requiresAuth: false },
    });
    await page.reload();
    await checklist().getByText('Getting started: 2 of 4 done').waitFor();
    await expect(step('actor').getAttribute('class')).resolves.toContain('done');
    await expect(step('profile').getAttribute('class')).resolves.toContain('done');
    await expect(step('mail').getAttribute('class')).resolves.not.toContain('done');

    // Verify without mail settings: refused, with both ways out.
    const row = page.locator(`tr[data-profile="${ADDRESS}"]`);
    await row.getByRole('button', { name: `Verify ${ADDRESS}` }).click();
    const refusal = page.getByTestId('verify-refusal');
    await refusal.getByRole('link', { name: 'Set the Email Settings' }).waitFor();
    expect(await refusal.textContent()).not.toContain(MAIL_SETTINGS_MISSING);
    await app.screenshot('first-run-checklist');

    // Manual mode, from the refusal's link to the profile's form.
    await refusal.getByRole('link', { name: 'edit the profile' }).click();
    await page.waitForURL('**/edit');
    await page.locator('[id="sendVerificationManually"]').check();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/settings/email-actions');
    await checklist().getByText('Getting started: 3 of 4 done').waitFor();
    await expect(step('mail').getAttribute('class')).resolves.toContain('done');
    // What is left is the verification.
    await expect(step('verify').getAttribute('class')).resolves.not.toContain('done');
  });
});
