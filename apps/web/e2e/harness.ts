// The browser tests' world: a real Director (HTTP, SQLite in a temporary data directory) serving
// the built app, Debian's Chromium driven by playwright-core, and real actors (enrolled with the
// token the UI shows, running in this process with the real transports). Everything started here
// is stopped by `close()`.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { enrollActor, runActor, type RunningActor } from '@email-profiles/actor';
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
  /** Enrolls an actor with a token as the Add actor dialog shows it, and runs it. */
  startActor(token: string, name: string): Promise<RunningActor>;
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
  const actors: RunningActor[] = [];
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
    const log = pino({ level: 'silent' });
    const running = browser;
    return {
      director,
      browser: running,
      context,
      page,
      pageErrors,
      async startActor(token, name) {
        const credentialPath = join(dataDir, `actor-${name}.json`);
        const credential = await enrollActor({
          directorUrl: director.url,
          enrollmentToken: token,
          name,
          credentialPath,
        });
        const actor = runActor({ directorUrl: director.url, token: credential.token, log });
        actors.push(actor);
        return actor;
      },
      async screenshot(name) {
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      },
      async close() {
        await Promise.all(actors.map((actor) => actor.stop()));
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
