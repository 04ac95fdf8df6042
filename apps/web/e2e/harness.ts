// The browser tests' world: a real Director (HTTP, SQLite in a temporary data directory) serving
// the built app, Debian's Chromium driven by playwright-core, and a real actor installed the way
// the Add actor dialog says (its download and enroll commands run by a shell, the downloaded file
// run by Node outside the repository). Everything started here is stopped by `close()`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  ACTOR_CREDENTIAL,
  ACTOR_FILE,
  ACTOR_PROGRAM,
  ACTOR_USER,
} from '../src/features/zones-actors/actor-install';
import { loadConfig, startDirector, type RunningDirector } from '@email-profiles/director';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type App = {
  director: RunningDirector;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions of the page (CSP violations show up here). */
  pageErrors: string[];
  /**
   * Runs the dialog's download and enroll commands in a shell, on a folder outside the repository
   * standing for the actor's host (its own paths for the program and the credential, no sudo),
   * then runs the downloaded actor with Node. Returns the folder.
   */
  installActor(commands: { download: string; enroll: string }): Promise<string>;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
};

export async function startApp(): Promise<App> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`sudo scripts/install-chromium.sh\` (or set CHROMIUM_PATH)`,
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'web-e2e-'));
  const director = await startDirector(
    loadConfig({
      EMAIL_PROFILES_PORT: '0',
      EMAIL_PROFILES_DATA_DIR: dataDir,
      EMAIL_PROFILES_VERIFY_TIMEOUT_S: '30',
    }),
    pino({ level: 'silent' }),
  );
  const actors: ChildProcess[] = [];
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: 60_000,
    });
    const context = await browser.newContext({
      baseURL: director.url,
      viewport: { width: 1280, height: 860 },
    });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
    const running = browser;
    return {
      director,
      browser: running,
      context,
      page,
      pageErrors,
      async installActor(commands) {
        const host = join(dataDir, 'actor-host');
        mkdirSync(host);
        // Asynchronously: the Director that answers the download runs in this process.
        const shell = (command: string) =>
          promisify(execFile)('sh', ['-c', command], {
            cwd: host,
            env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
            timeout: 60_000,
          });
        await shell(commands.download);
        const program = join(host, ACTOR_FILE);
        const credential = join(host, 'actor.json');
        await shell(
          commands.enroll
            .replace(`sudo -u ${ACTOR_USER} `, '')
            .replace(ACTOR_PROGRAM, program)
            .replace(ACTOR_CREDENTIAL, credential),
        );
        const actor = spawn(
          process.execPath,
          ['--max-semi-space-size=1', program, 'run', '--credential', credential],
          { cwd: host, stdio: 'ignore' },
        );
        actors.push(actor);
        return host;
      },
      async screenshot(name) {
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      },
      async close() {
        await Promise.all(
          actors.map(async (actor) => {
            if (actor.exitCode !== null || actor.signalCode !== null) return;
            actor.kill('SIGTERM');
            await once(actor, 'exit');
          }),
        );
        await running.close();
        await director.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await director.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The page's own dialogs (confirm, the beforeunload prompt), each answered as the test says in
 * advance with `answerNext`; one nobody expected is dismissed and kept in `unexpected`.
 */
export function browserDialogs(page: Page) {
  const unexpected: string[] = [];
  let accepting: boolean | undefined;
  page.on('dialog', (dialog) => {
    const accept = accepting;
    accepting = undefined;
    if (accept === undefined) unexpected.push(`${dialog.type()}: ${dialog.message()}`);
    void (accept ? dialog.accept() : dialog.dismiss());
  });
  return {
    unexpected,
    /** Accepts or dismisses the next dialog; resolves with its type and message once it shows. */
    async answerNext(accept: boolean) {
      accepting = accept;
      const dialog = await page.waitForEvent('dialog');
      return { type: dialog.type(), message: dialog.message() };
    },
  };
}

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery' };

/**
 * What the browser tests do on their page (`page()`: the page once started): find an element by
 * id, follow the navigation, and call the Director as the page's session, outside the app (its
 * screens are not told).
 */
export function onPage(page: () => Page) {
  const byId = (id: string) => page().locator(`[id="${id}"]`);
  async function nav(name: string) {
    // A dialog left open (by a failed test) would block the navigation.
    if ((await page().getByRole('dialog').count()) > 0) await page().keyboard.press('Escape');
    await page().getByRole('navigation').getByRole('link', { name }).click();
  }
  /** A query as a GET without `input`, else a mutation (POST). */
  function operatorCall<T>(path: string, input?: unknown): Promise<T> {
    return page().evaluate(
      async ({ path, input }) => {
        const response = await fetch(
          `/api/trpc/${path}`,
          input === undefined
            ? {}
            : {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(input),
              },
        );
        const body = (await response.json()) as { result?: { data: unknown }; error?: unknown };
        if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
        return body.result.data;
      },
      { path, input },
    ) as Promise<T>;
  }
  return { byId, nav, operatorCall };
}

/** A call of the actor API as an actor makes it (its token as the bearer; none to enroll). */
export async function actorApiCall<T = unknown>(
  baseUrl: string,
  token: string | undefined,
  path: string,
  input: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}/api/trpc/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data: T }; error?: unknown };
  if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
  return body.result.data;
}

/**
 * An actor enrolled through the actor API that speaks only when the test says (`call`), with a
 * one-time token the operator's page creates for the zone.
 */
export async function simulatedActor(
  baseUrl: string,
  operatorCall: ReturnType<typeof onPage>['operatorCall'],
  zoneId: string | undefined,
  name: string,
) {
  const { token: enrollmentToken } = await operatorCall<{ token: string }>(
    'actors.createEnrollmentToken',
    { zoneId },
  );
  const enrolled = await actorApiCall<{ actorId: string; token: string }>(
    baseUrl,
    undefined,
    'actorApi.enroll',
    { enrollmentToken, name },
  );
  const call = <T = unknown>(path: string, input: unknown) =>
    actorApiCall<T>(baseUrl, enrolled.token, path, input);
  return { id: enrolled.actorId, call, heartbeat: () => call('actorApi.heartbeat', {}) };
}
