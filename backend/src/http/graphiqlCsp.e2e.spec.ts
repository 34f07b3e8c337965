import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../testing/freePort.js';
import { type TestServer, startTestServer } from '../testing/testServer.js';

/*
 * GraphiQL's page in a real browser under its Content-Security-Policy, with every request to
 * another origin refused: the page, its bundle and the editor's workers all come from this server,
 * GraphiQL renders and runs a query, and an injected inline script is refused.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('GraphiQL under its Content-Security-Policy', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // GraphiQL's own requests carry the page's origin, which must be the server's public one.
    const port = await findFreePort();
    server = await startTestServer('memory', { env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs from this server alone, renders, runs a query, and refuses an injected inline script', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const origin = new URL(server.url).origin;
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });

    const response = await page.goto(`${server.url}/graphql?query=${encodeURIComponent('{ rooms { id name } }')}`);
    expect(response?.status()).toBe(200);
    await page.locator('.graphiql-container').first().waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: /execute query/i }).click();
    await page.locator('.graphiql-response').getByText('"rooms"').waitFor({ timeout: 15_000 });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    expect(elsewhere).toEqual([]);

    // The policy is in force: markup that gets into the page cannot run script.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
    });
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    expect(violations.some((v) => /inline script/i.test(v))).toBe(true);
    await context.close();
  });

  it('serves the bundle at a versioned path, cached for good, and nothing at another version', async () => {
    const html = await (await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const bundle = /src="(\/graphiql\/[0-9a-f]{16}\/graphiql\.js)"/.exec(html)?.[1];
    expect(bundle).toBeDefined();
    const served = await fetch(`${server.url}${bundle}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(served.headers.get('content-type')).toContain('javascript');
    expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    const stale = await fetch(`${server.url}/graphiql/0000000000000000/graphiql.js`);
    expect(stale.status).toBe(404);
  });
});
