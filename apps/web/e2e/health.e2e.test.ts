// Mailbox health in Debian's Chromium against a real Director: the Health & alerts form (its
// refusals land on their fields, the signing secret is write-only), the profiles page's health
// summary and row warnings (a client secret about to expire; an app that read the canary), and
// the history screen with its PowerShell that scopes the app. The actor is simulated through the
// actor API, so the test decides what it reports. Screenshots go to e2e/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ADMIN, onPage, simulatedActor, startApp, type App } from './harness';

const CLIENT_ID = '0b2e7c55-1d3a-4c8e-9f6b-2a4d6e8f0c1b';

let app: App;
let page: Page;
let actor: Awaited<ReturnType<typeof simulatedActor>>;

beforeAll(async () => {
  app = await startApp();
  page = app.page;
});
afterAll(async () => {
  await app.close();
});

const { byId, nav, operatorCall } = onPage(() => page);

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function graphProfile(emailAddress: string, extra: Record<string, unknown>) {
  return operatorCall<{ id: string }>('profiles.create', {
    serverType: 'graph',
    emailAddress,
    sendVerificationManually: true,
    actorIds: [actor.id],
    tenantId: 'contoso.onmicrosoft.com',
    clientId: CLIENT_ID,
    clientSecret: 'Qx8~fakeSecretValue.0123456789abcdefGHIJ',
    ...extra,
  });
}

describe('mailbox health, in Chromium', () => {
  it('first-run setup, a zone and a simulated actor', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await byId('email').fill(ADMIN.email);
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/settings/email-actions');
    const zone = await operatorCall<{ id: string }>('zones.create', { name: 'HQ' });
    actor = await simulatedActor(app.director.url, operatorCall, zone.id, 'hq-01');
    await actor.heartbeat();
  });

  it('Health & alerts: refusals on their fields, the secret write-only, then saved', async () => {
    await nav('Health & alerts');
    await byId('defaultSchedule').selectOption({ label: 'Daily' });
    await byId('alertEmails').fill('ops@example.test\nnot an address');
    await byId('webhookUrl').fill('http://alerts.example.test/hook');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const summary = page.getByTestId('invalid-summary');
    await expect(summary.textContent()).resolves.toMatch(/fields? need attention/);
    await expect(byId('alertEmails-error').textContent()).resolves.toMatch(/^Line 2: /);
    await expect(byId('webhookUrl-error').textContent()).resolves.toBe(
      'Use an https:// URL (http:// only to this host itself)',
    );
    // The first invalid field has the focus.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('alertEmails');

    await byId('alertEmails').fill('ops@example.test');
    await byId('webhookUrl').fill('https://alerts.example.test/hook');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(byId('webhookSecret-error').textContent()).resolves.toBe(
      'Enter the signing secret',
    );
    await byId('webhookSecret').fill('a-signing-secret-of-32-characters!');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(byId('webhookSecret').inputValue()).resolves.toBe('');
    await expect(byId('webhookSecret').getAttribute('placeholder')).resolves.toBe('unchanged');
    const stored = await operatorCall<Record<string, unknown>>('health.settings.get');
    expect(stored).toEqual({
      defaultSchedule: 'daily',
      alertEmails: ['ops@example.test'],
      webhookUrl: 'https://alerts.example.test/hook',
      webhookSecretSet: true,
    });
    await app.screenshot('health-settings');
  });

  it('the profiles page sums up health and warns of a secret about to expire', async () => {
    await graphProfile('expiring@contoso.example', { clientSecretExpiresOn: inDays(5) });
    await page.goto('/settings/email-actions');
    const health = page.getByTestId('health-summary');
    await health.getByText(/0 of 1 profile is healthy: .*1 secret expiring/).waitFor();
    const warning = page.locator(
      '[data-profile="expiring@contoso.example"] [data-health="secret_expiring"]',
    );
    await expect(warning.textContent()).resolves.toContain(
      `The client secret expires on ${inDays(5)} (in 5 days)`,
    );
    await expect(warning.getAttribute('class')).resolves.toContain('critical');
  });

  it('an app that read the canary: warned, with the PowerShell that scopes it on the history screen', async () => {
    const { id } = await graphProfile('box@contoso.example', {
      canaryAddress: 'ceo@contoso.example',
    });
    await operatorCall('verification.verify', { profileId: id });
    const [task] = await actor.call<{ id: string; kind: string; code: string }[]>(
      'actorApi.nextTasks',
      { waitMs: 5_000 },
    );
    expect(task?.kind).toBe('find_code');
    await actor.call('actorApi.complete', {
      kind: 'find_code',
      taskId: task!.id,
      result: {
        found: true,
        subject: `(${task!.code})`,
        via: 'search',
        durationMs: 5,
        access: { tenantWideRoles: ['Mail.Read', 'Mail.Send'], canary: 'readable' },
      },
    });
    await page.goto('/settings/email-actions');
    const row = page.locator('[data-profile="box@contoso.example"]');
    await row
      .locator('[data-health="overprivileged"]')
      .getByText('The app read the canary mailbox: it can read other mailboxes of the tenant')
      .waitFor();
    await app.screenshot('profiles-health');

    await row.getByRole('link', { name: 'History of box@contoso.example' }).click();
    await page.waitForURL(`**/settings/email-actions/${id}/history`);
    await page.getByText(/^Verified once since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/).waitFor();
    const script = (await page.getByTestId('scoping').locator('pre').textContent()) ?? '';
    // The service principal is looked up from the profile's client ID, not the actor's report.
    expect(script).toContain(`Get-MgServicePrincipal -Filter 'appId eq ''${CLIENT_ID}'''`);
    expect(script).toContain('New-ServicePrincipal -AppId $sp.AppId -ObjectId $sp.Id');
    expect(script).toContain(
      "-Role 'Application Mail.Read' -CustomResourceScope 'Email Profiles: box@contoso.example'",
    );
    expect(script).toContain(
      "Test-ServicePrincipalAuthorization -Identity $sp.Id -Resource 'ceo@contoso.example'  # InScope: False",
    );
    await app.screenshot('profile-history');
    expect(app.pageErrors).toEqual([]);
  });
});
