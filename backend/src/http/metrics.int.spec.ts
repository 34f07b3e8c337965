import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startTestServer, type TestServer } from '../testing/testServer.js';
import { findFreePort } from '../testing/freePort.js';

const SUBSCRIPTION = `subscription($roomId: ID!, $after: String) { roomEvents(roomId: $roomId, after: $after) {
  cursor ... on MessagePosted { message { body author { handle } } } } }`;

describe('metrics and shared subscription work', () => {
  let server: TestServer;
  let cookie: string;
  beforeAll(async () => {
    server = await startTestServer('memory');
    cookie = await server.signIn('alice');
  });
  afterAll(() => server.stop());

  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { text, value };
  };

  it('serves Prometheus text with the process and our own metrics', async () => {
    await fetch(`${server.url}/healthz`);
    const { text, value } = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(value('balloons_subscriptions_active')).toBe(0);
    expect(text).toMatch(/balloons_http_requests_total\{route="\/healthz",status="200"\} 1/);
    expect((await scrape()).text).toMatch(/balloons_http_requests_total\{route="\/metrics",status="200"\}/);
  });

  it('renders each event once for identical subscriptions, whatever their resume cursor', async () => {
    const roomId = (await server.gql('mutation { createRoom(name: "shared") { id } }', {}, cookie)).data!.createRoom.id;
    const subscribers = Array.from({ length: 5 }, (_, i) =>
      collect(server.wsClient(cookie), SUBSCRIPTION, { roomId, after: i % 2 ? '0-0' : null }),
    );
    // Wait until all five are live: a probe reaches each of them.
    for (let i = 0; !subscribers.every((s) => s.results.some((r: any) => r.data.roomEvents.message)); i++) {
      await server.gql(
        'mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }',
        { r: roomId, b: `probe ${i}` },
        cookie,
      );
    }
    const before = await scrape();
    expect(before.value('balloons_subscriptions_active')).toBe(5);
    for (let i = 0; i < 10; i++) {
      await server.gql('mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: `m${i}` }, cookie);
    }
    await Promise.all(subscribers.map((s) => s.until((results) => results.some((r: any) => r.data.roomEvents.message?.body === 'm9'))));
    const after = await scrape();
    const frames = after.value('balloons_subscription_frames_total') - before.value('balloons_subscription_frames_total');
    const renders = after.value('balloons_subscription_renders_total') - before.value('balloons_subscription_renders_total');
    expect(frames).toBe(50);
    expect(renders).toBe(10);
    for (const s of subscribers) s.dispose();
  });
});

describe('viewer-dependent fields under a subscription', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('memory');
  });
  afterAll(() => server.stop());

  const MINE = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { ... on MessagePosted { message { body mine } } } }`;

  it('renders a document that selects one for each viewer, and each gets their own answer', async () => {
    const alice = await server.signIn('alice');
    const bob = await server.signIn('bob');
    const roomId = (await server.gql('mutation { createRoom(name: "mine") { id } }', {}, alice)).data!.createRoom.id;
    const subscribers = [alice, bob, alice].map((cookie) => collect(server.wsClient(cookie), MINE, { roomId }));
    const post = (cookie: string, body: string) =>
      server.gql('mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: body }, cookie);
    // Live once a probe reaches all three.
    for (let i = 0; !subscribers.every((s) => s.results.length > 0); i++) await post(alice, `probe ${i}`);
    await post(bob, 'from bob');
    const fromBob = (results: readonly any[]) =>
      results.find((r) => r.data.roomEvents.message?.body === 'from bob')?.data.roomEvents.message;
    await Promise.all(subscribers.map((s) => s.until((results) => fromBob(results) !== undefined)));
    expect(subscribers.map((s) => fromBob(s.results))).toEqual([
      { body: 'from bob', mine: false },
      { body: 'from bob', mine: true },
      { body: 'from bob', mine: false },
    ]);
    for (const s of subscribers) s.dispose();
  });

  it("answers a room's myMembership and myRole for each subscriber", async () => {
    const owner = await server.signIn('olive');
    const member = await server.signIn('mark');
    const roomId = (await server.gql('mutation { createRoom(name: "mine too") { id } }', {}, owner)).data!.createRoom.id;
    const MY = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { ... on MessagePosted { message { body room { myMembership myRole } } } } }`;
    const subscribers = [owner, member].map((cookie) => collect(server.wsClient(cookie), MY, { roomId }));
    const post = (cookie: string, body: string) =>
      server.gql('mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: body }, cookie);
    for (let i = 0; !subscribers.every((s) => s.results.length > 0); i++) await post(owner, `probe ${i}`);
    await post(owner, 'last');
    const last = (results: readonly any[]) => results.find((r) => r.data.roomEvents.message?.body === 'last')?.data.roomEvents.message.room;
    await Promise.all(subscribers.map((s) => s.until((results) => last(results) !== undefined)));
    expect(subscribers.map((s) => last(s.results))).toEqual([
      { myMembership: 'JOINED', myRole: 'OWNER' },
      { myMembership: null, myRole: null },
    ]);
    for (const s of subscribers) s.dispose();
  });

  it('names a direct room after the others for each of its people, even under one shared document', async () => {
    const ann = await server.signIn('ann');
    const ben = await server.signIn('ben');
    const roomId = (await server.gql('mutation { openDirect(handles: ["ben"]) { id } }', {}, ann)).data!.openDirect.id;
    const NAMED = `subscription($roomId: ID!) { roomEvents(roomId: $roomId) { ... on MessagePosted { message { body room { name } } } } }`;
    const subscribers = [ann, ben].map((cookie) => collect(server.wsClient(cookie), NAMED, { roomId }));
    const post = (body: string) =>
      server.gql('mutation($r: ID!, $b: String!) { postMessage(roomId: $r, body: $b) { id } }', { r: roomId, b: body }, ann);
    for (let i = 0; !subscribers.every((s) => s.results.length > 0); i++) await post(`probe ${i}`);
    await post('named');
    const named = (results: readonly any[]) =>
      results.find((r) => r.data?.roomEvents.message?.body === 'named')?.data.roomEvents.message.room.name;
    await Promise.all(subscribers.map((s) => s.until((results) => named(results) !== undefined)));
    expect(subscribers.map((s) => named(s.results))).toEqual(['ben', 'ann']);
    for (const s of subscribers) s.dispose();
  });
});

describe('who may read /metrics', () => {
  it('answers this machine and private networks on the app port, and anyone else as for a path that is not there', async () => {
    const server = await startTestServer('memory', { env: { TRUST_PROXY_HOPS: '1' } });
    try {
      const from = (address: string) => fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': address } });
      for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.9', '192.168.1.20', '::1', 'fd00::5', '::ffff:10.0.0.1']) {
        expect((await from(address)).status, address).toBe(200);
      }
      for (const address of ['203.0.113.5', '8.8.8.8', '2001:db8::1', '::ffff:8.8.8.8', 'not-an-address']) {
        const response = await from(address);
        expect(response.status, address).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
    } finally {
      await server.stop();
    }
  });

  it('serves /metrics on METRICS_PORT alone when it is set', async () => {
    const metricsPort = await findFreePort();
    const server = await startTestServer('memory', { env: { METRICS_PORT: String(metricsPort) } });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('balloons_websockets_open');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).toBe(404);
    } finally {
      await server.stop();
    }
    // Stopped with the app.
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});
