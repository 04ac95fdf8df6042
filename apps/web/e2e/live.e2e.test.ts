// Live everywhere, in Debian's Chromium: the Actors page and the profiles table's Online dots
// follow the Director's actors stream (an actor enrolls, comes online, is revoked: no reload, no
// polling); Add actor asks for a zone and waits on the actor the shown commands install; the time
// left to a verification's deadline; "Why?" named by what it shows; the Actors page at 390 px.
// Besides the real actor, simulated actors speak the actor API from the test, so a test decides
// when one is heard from. Screenshots go to e2e/screenshots/.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MailUser } from '@email-profiles/mail-stack';
import { ADMIN, onPage, simulatedActor as simulated, startApp, type App } from './harness';

const stack = inject('mailStack');
const [user1, user2] = stack.dovecot!.users as [MailUser, MailUser];
const ACTOR = 'hq-win-01';
/** Waiting on the real actor: downloaded, enrolled and polling (a cap, not a guess at speed). */
const ACTOR_MS = 60_000;

let app: App;
let page: Page;
/** Zone names to ids, as created. */
const zones = new Map<string, string>();
let realActorId = '';

beforeAll(async () => {
  app = await startApp();
  page = app.page;
});
afterAll(async () => {
  await app.close();
});

const { byId, nav, operatorCall } = onPage(() => page);

const simulatedActor = (zone: string, name: string) =>
  simulated(app.director.url, operatorCall, zones.get(zone), name);

/** An IMAP profile on the test Dovecot, verified by hand (no email from the Director needed). */
async function createProfile(o: { user: MailUser; password: string; actorIds: string[] }) {
  const tlsTrust = { mode: 'fingerprint', sha256: stack.tls.fingerprintSha256 };
  return operatorCall<{ id: string }>('profiles.create', {
    serverType: 'imap',
    emailAddress: o.user.address,
    sendVerificationManually: true,
    actorIds: o.actorIds,
    username: o.user.username,
    password: o.password,
    incoming: {
      host: '127.0.0.1',
      port: stack.dovecot!.ports.imap,
      encryption: 'starttls',
      authType: 'plain',
      tlsTrust,
    },
    outgoing: {
      host: '127.0.0.1',
      port: stack.postfix!.ports.submission,
      encryption: 'starttls',
      requiresAuth: false,
      tlsTrust,
    },
  });
}

/** The profiles table, read afresh (a profile created outside the app is not streamed). */
async function openProfiles() {
  await page.goto('/settings/email-actions');
  await page.locator('table.profiles').waitFor();
}

/** Set on the page once: still set later means the page was never reloaded in between. */
const markPage = () =>
  page.evaluate(() => {
    (window as unknown as { liveMark?: boolean }).liveMark = true;
  });
const pageKept = () =>
  page.evaluate(() => (window as unknown as { liveMark?: boolean }).liveMark === true);

/** The actors lists the app fetched from now on (the stream needs none). */
function countActorLists() {
  let count = 0;
  const onRequest = (request: { url(): string }) => {
    if (request.url().includes('actors.list')) count += 1;
  };
  page.on('request', onRequest);
  return {
    get count() {
      return count;
    },
    stop: () => page.off('request', onRequest),
  };
}

const actorRow = (name: string) => page.locator(`tr[data-actor="${name}"]`);

describe('live everywhere, in Chromium', () => {
  it('first-run setup, and two zones', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await byId('email').fill(ADMIN.email);
    await byId('password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/settings/email-actions');
    for (const name of ['HQ', 'Branch']) {
      const zone = await operatorCall<{ id: string }>('zones.create', { name });
      zones.set(name, zone.id);
    }
  });

  it('Add actor asks for a zone, then says "… enrolled ✓, online" once the shown commands ran', async () => {
    await nav('Actors and Security Zones');
    await page.getByRole('button', { name: 'Add actor' }).click();
    const dialog = page.getByRole('dialog');
    // No zone is chosen for the operator (not even "Branch", the first alphabetically).
    await expect(byId('actor-zone').inputValue()).resolves.toBe('');
    await byId('actor-name').fill(ACTOR);
    await dialog.getByRole('button', { name: 'Create enrollment token' }).click();
    await expect(byId('actor-zone-error').textContent()).resolves.toBe(
      'Choose the Security Zone of the network the actor runs in',
    );
    await expect(page.getByTestId('enroll-command').count()).resolves.toBe(0);
    await byId('actor-zone').selectOption({ label: 'HQ' });
    await dialog.getByRole('button', { name: 'Create enrollment token' }).click();
    const download = (await page.getByTestId('download-command').textContent()) ?? '';
    const enroll = (await page.getByTestId('enroll-command').textContent()) ?? '';
    expect(enroll).toContain(`--name ${ACTOR} --zone HQ `);
    const status = page.getByTestId('enrollment-status');
    await expect(status.textContent()).resolves.toContain(`Waiting for ${ACTOR} to enroll…`);
    // The commands as shown, run while the dialog stays open: it tells when the actor is in.
    await app.installActor({ download, enroll });
    await status.getByText(`${ACTOR} enrolled ✓, online`).waitFor({ timeout: ACTOR_MS });
    await app.screenshot('add-actor-online');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await actorRow(ACTOR).locator('.badge.online').waitFor();
    await expect(
      actorRow(ACTOR).locator('[data-label="Security Zone"]').textContent(),
    ).resolves.toBe('HQ');
    const actors = await operatorCall<{ id: string; name: string }[]>('actors.list');
    realActorId = actors.find((actor) => actor.name === ACTOR)?.id ?? '';
    expect(realActorId).not.toBe('');
  });

  it('the Actors page follows the actors: one enrolls, comes online, is revoked, without reload or polling', async () => {
    await nav('Actors and Security Zones');
    await actorRow(ACTOR).waitFor();
    await markPage();
    const lists = countActorLists();
    try {
      const sim = await simulatedActor('Branch', 'sim-01');
      const row = actorRow('sim-01');
      await row.locator('.badge.offline').waitFor();
      await expect(row.locator('[data-label="Last seen"]').textContent()).resolves.toBe('Never');
      await sim.heartbeat();
      await row.locator('.badge.online').waitFor();
      // Revoked elsewhere (another operator): this screen is told, too.
      await operatorCall('actors.revoke', { id: sim.id });
      await row.waitFor({ state: 'detached' });
      expect(await pageKept()).toBe(true);
      expect(lists.count).toBe(0);
    } finally {
      lists.stop();
    }
  });

  it("the profiles table's Online dot follows its actor, without reload", async () => {
    const sim = await simulatedActor('Branch', 'sim-02');
    await createProfile({ user: user1, password: user1.password, actorIds: [sim.id] });
    await nav('Email Actions');
    const row = page.locator(`tr[data-profile="${user1.address}"]`);
    const dot = row.locator('[data-label="Actors"] li', { hasText: 'sim-02' }).locator('.dot');
    await dot.waitFor();
    await expect(dot.getAttribute('class')).resolves.not.toMatch(/\bon\b/);
    await markPage();
    await sim.heartbeat();
    await row
      .locator('[data-label="Actors"] li', { hasText: 'sim-02' })
      .locator('.dot.on')
      .waitFor();
    await expect(row.locator('[data-label="Actors"]').textContent()).resolves.toContain('(online)');
    await operatorCall('actors.revoke', { id: sim.id });
    // Its profile is left without an actor: the row says so, live.
    await row.getByRole('link', { name: `Assign an actor to ${user1.address}` }).waitFor();
    expect(await pageKept()).toBe(true);
  });

  it('names Why? by what it shows: "Why? Troubleshoot …" in the accessibility tree', async () => {
    await createProfile({ user: user2, password: 'not-the-password', actorIds: [realActorId] });
    await openProfiles();
    const row = page.locator(`tr[data-profile="${user2.address}"]`);
    await row.getByRole('button', { name: `Verify ${user2.address}` }).click();
    const why = row.getByRole('button', { name: `Why? Troubleshoot ${ACTOR} on ${user2.address}` });
    await why.waitFor({ timeout: ACTOR_MS });
    await expect(why.textContent()).resolves.toMatch(/^\s*Why\?\s*$/);
    // What a screen reader and voice control get: the name begins with the visible "Why?".
    await expect(row.locator('.actor-statuses').ariaSnapshot()).resolves.toContain(
      `button "Why? Troubleshoot ${ACTOR} on ${user2.address}"`,
    );
    await why.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Verify again' }).waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
  });

  it('shows the time left to the deadline of a verification in progress, each second', async () => {
    // Manual mode and nobody sends the email: the actor looks until the deadline (30 s here).
    const { id } = await createProfile({
      user: user1,
      password: user1.password,
      actorIds: [realActorId],
    });
    await openProfiles();
    const row = page.locator(`tr[data-profile="${user1.address}"]`, {
      has: page.locator(`li[data-actor="${ACTOR}"]`),
    });
    await row.getByRole('button', { name: `Verify ${user1.address}` }).click();
    await row.locator(`li[data-actor="${ACTOR}"] .badge.in_progress`).waitFor();
    const items =
      await operatorCall<{ profile: { id: string }; actors: Record<string, unknown>[] }[]>(
        'profiles.list',
      );
    const listed = items.find((item) => item.profile.id === id)?.actors[0];
    expect(listed).toMatchObject({ status: 'in_progress', deadlineAt: expect.any(String) });
    const left = row.locator(`li[data-actor="${ACTOR}"] [data-testid="time-left"]`);
    await left.getByText(/^Checking… 0:\d\d left$/).waitFor();
    const first = await left.textContent();
    // It counts down by itself: the next second shows another value.
    await page.waitForFunction(
      ([selector, was]) => document.querySelector(selector)?.textContent !== was,
      [`tr li[data-actor="${ACTOR}"] [data-testid="time-left"]`, first] as const,
    );
    await app.screenshot('profiles-time-left');
  });

  it('fits the Actors page into 390 px: each Revoke button within the viewport', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await nav('Actors and Security Zones');
      const revoke = page.getByRole('button', { name: `Revoke ${ACTOR}` });
      await revoke.waitFor();
      await app.screenshot('actors-390');
      const box = await revoke.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });
});
