import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/testServer.js';

/**
 * A client that sends its request slowly is answered 408 once the request timeout passes, and
 * one that never finishes its headers once the headers timeout passes: Node's own defaults held
 * such a connection for 300 s (60 s for headers). Here the timeouts are short, as a test can wait.
 */
describe('slow requests', { timeout: 20_000 }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('memory', { env: { HTTP_HEADERS_TIMEOUT_MS: '500', HTTP_REQUEST_TIMEOUT_MS: '1500' } });
  });
  afterAll(() => server.stop());

  /** Writes `head` (and then one byte of body a second, if `drip`), and resolves with what the server answers and when. */
  const slowRequest = (head: string, drip: boolean) =>
    new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const { port } = new URL(server.url);
      const started = Date.now();
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(head));
      let text = '';
      const timer = drip ? setInterval(() => socket.writable && socket.write('x'), 200) : null;
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => {
        if (timer) clearInterval(timer);
        resolve({ text, ms: Date.now() - started });
      });
      socket.on('error', reject);
    });

  it('answers 408 with JSON when the body comes too slowly', async () => {
    const { text, ms } = await slowRequest(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":"',
      true,
    );
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'REQUEST_TIMEOUT', message: 'Request timed out' },
    });
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(4_000);
  });

  it('answers 408 when the headers never end', async () => {
    const { text, ms } = await slowRequest('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', false);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3_000);
  });

  it('still serves a request that takes its time within the limits', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
