import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { findFreePort } from '../../backend/src/testing/freePort.js';
import type { App } from '../../backend/src/http/app.js';
import { type TestRedis, startTestRedis } from '../../backend/src/testing/redisServer.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Git-ignored; screenshots land here on every run. */
export const artifactsDir = `${repoRoot}test-results/`;

/** Debian's Chromium (installed by .ci/run when missing); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The machine has no network but loopback: keep Chromium from reaching out. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Stack {
  url: string;
  browser: Browser;
  /** A signed-in person in their own browser context (own cookies, own WebSocket). */
  person(handle: string, options?: { viewport?: { width: number; height: number }; viaUi?: boolean }): Promise<Person>;
  /** GraphQL over HTTP as someone (for setting up data quickly). */
  gql<T = any>(cookie: string, query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface Person {
  handle: string;
  context: BrowserContext;
  page: Page;
  cookie: string;
  /** Every `alert`/`confirm`/`prompt` the page opened. */
  dialogs: string[];
  /** Uncaught errors of the page. */
  errors: string[];
}

/**
 * The whole stack: the UI built with Vite into frontend/dist, a private redis-server, the real
 * server in this process on a free port, and Chromium.
 */
export const startStack = async (): Promise<Stack> => {
  await build({ configFile: `${repoRoot}vite.config.ts`, logLevel: 'warn' });
  mkdirSync(artifactsDir, { recursive: true });

  const redis: TestRedis = await startTestRedis();
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  let app: App | undefined;
  let browser: Browser;
  try {
    // Imported only now: the static file server picks frontend/dist when it is first loaded.
    const { readConfig } = await import('../../backend/src/config.js');
    const { buildApp } = await import('../../backend/src/http/app.js');
    app = await buildApp(readConfig({ PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redis.url, PUBLIC_URL: url, RATE_LIMITS: '0' }));
    await app.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    // The caller gets no stack to stop: what started so far stops here (no redis-server left behind).
    await app?.stop().catch(() => undefined);
    await redis.dispose();
    throw error;
  }
  const started = app;
  const contexts: BrowserContext[] = [];

  const gql = async (cookie: string, query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', cookie, origin: url },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: any; errors?: { message: string }[] };
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
    return result.data;
  };

  return {
    url,
    browser,
    gql,
    async person(handle, options = {}) {
      const context = await browser.newContext({ baseURL: url, viewport: options.viewport ?? { width: 1280, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      const dialogs: string[] = [];
      const errors: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => errors.push(error.message));
      if (options.viaUi) {
        await page.goto('/');
        await page.getByLabel('Your handle').fill(handle);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Rooms' }).waitFor();
      } else {
        const response = await context.request.post('/auth/dev', { data: { handle } });
        if (!response.ok()) throw new Error(`sign-in failed: ${response.status()}`);
      }
      const session = (await context.cookies()).find((c) => c.name.endsWith('session'));
      if (!session) throw new Error('no session cookie');
      return { handle, context, page, cookie: `${session.name}=${session.value}`, dialogs, errors };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await started.stop();
      await redis.dispose();
    },
  };
};

/** The messages of the open room, final or pending, in the order shown. */
export const messages = (page: Page): Locator => page.locator('.timeline .message');

/** The shown texts of the open room's messages. */
export const messageTexts = (page: Page): Promise<string[]> => page.locator('.timeline .message .message-body').allInnerTexts();

/** A message (final: confirmed by its own event) whose body is exactly `text`. */
export const finalMessage = (page: Page, text: string): Locator =>
  page
    .locator('.timeline .message[data-status="final"]')
    .filter({ has: page.locator('.message-body', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }) });

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Types and sends a message with the keyboard (Enter). */
export const send = async (page: Page, text: string) => {
  const composer = page.getByLabel(/^Message #/);
  await composer.fill(text);
  await composer.press('Enter');
};

/** Opens a room through the list on the rooms page. */
export const openRoomFromList = async (page: Page, name: string) => {
  await page.goto('/');
  await page.locator('.room-list a', { hasText: name }).first().click();
  await page.locator('.room-title', { hasText: name }).waitFor();
  await page.locator('.timeline-top :is(.room-start, .timeline-note)').first().waitFor();
};
