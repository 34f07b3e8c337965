import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/testServer.js';

/*
 * GraphiQL's page in a real browser under its Content-Security-Policy: its own inline scripts run
 * (allowed by hash), its CDN bundle loads, anything else inline is refused. The CDN is stubbed (no
 * network here): a stand-in bundle records what the page handed it.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const STUB_BUNDLE = `window.YogaGraphiQL = { renderYogaGraphiQL(root, options) {
  root.setAttribute('data-rendered', JSON.stringify(options));
} };`;

describe('GraphiQL under its Content-Security-Policy', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer('memory');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs its own scripts and the CDN bundle, and refuses an injected inline script', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await context.route('https://unpkg.com/**', (route) => {
      const url = route.request().url();
      if (url.endsWith('.js')) return route.fulfill({ status: 200, contentType: 'text/javascript', body: url.includes('worker') ? 'self.onmessage = () => {};' : STUB_BUNDLE });
      return route.fulfill({ status: 200, contentType: 'text/css', body: 'body { margin: 0 }' });
    });
    await context.route('https://raw.githubusercontent.com/**', (route) => route.fulfill({ status: 404, body: '' }));

    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.status()).toBe(200);
    const rendered = await page.locator('#root[data-rendered]').getAttribute('data-rendered', { timeout: 10_000 });
    expect(JSON.parse(rendered!)).toMatchObject({ title: 'Balloons — GraphiQL', subscriptionsProtocol: 'WS' });
    expect(violations).toEqual([]);

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
});
