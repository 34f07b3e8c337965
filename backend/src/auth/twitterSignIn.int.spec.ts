import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toUserStreamKey } from '../chat/keys.js';
import { type FakeX, type FakeXUser, startFakeX } from '../testing/fakeX.js';
import { startTestRedis, type TestRedis } from '../testing/redisServer.js';
import { type StoreKind, type TestServer, startTestServer } from '../testing/testServer.js';

/*
 * Sign in with X, end to end over real HTTP: our server, and a fake X on a free port that checks
 * what X checks (PKCE, client authentication, single-use codes). The test plays the browser,
 * following redirects by hand and keeping cookies.
 */

const ALICE: FakeXUser = {
  id: '1234567890123456789',
  username: 'Alice_X',
  name: 'Alice Liddell',
  profile_image_url: 'https://pbs.twimg.com/profile_images/1/alice_normal.jpg',
};

interface Answer {
  status: number;
  location: string | null;
  setCookies: string[];
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

// Sign-in starts are limited per IP address: each request of these tests comes from another
// loopback address (all of 127.0.0.0/8 reaches the server), so only the limit's own test meets it.
let nextAddress = 0;
const toLocalAddress = () => `127.0.${Math.floor(nextAddress / 250) % 250}.${2 + (nextAddress++ % 250)}`;

/** One GET, redirects not followed, from a fresh loopback address. */
const httpGet = (url: string, cookie = '') =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(url, { headers: cookie ? { cookie } : {}, localAddress: toLocalAddress(), agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          location: res.headers.location ?? null,
          setCookies: res.headers['set-cookie'] ?? [],
          headers: res.headers,
          text,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });

/** A browser's cookies for one site: what Set-Cookie stored, sent back as a Cookie header. */
const createJar = () => {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    get: (name: string) => cookies.get(name),
    store(setCookies: string[]) {
      for (const line of setCookies) {
        const [pair, ...attributes] = line.split(';');
        const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
        if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) cookies.delete(name);
        else cookies.set(name, value);
      }
    },
  };
};
type Jar = ReturnType<typeof createJar>;

/** The path, query and fragment of a redirect, wherever it points. */
const toPath = (location: string) => {
  const url = new URL(location);
  return `${url.pathname}${url.search}${url.hash}`;
};

describe.each<StoreKind>(['memory', 'redis'])('sign in with X (%s store)', (kind) => {
  let fakeX: FakeX;
  let server: TestServer;

  beforeAll(async () => {
    fakeX = await startFakeX({ user: ALICE });
    server = await startTestServer(kind, { env: { ...fakeX.env(), RATE_LIMITS: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await fakeX?.close();
  });

  const get = async (jar: Jar, url: string) => {
    const answer = await httpGet(url, jar.header());
    jar.store(answer.setCookies);
    return answer;
  };

  /** GET /auth/twitter: answers the authorize URL it redirects to. */
  const start = async (jar: Jar, returnTo?: string) => {
    const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
    const answer = await get(jar, `${server.url}/auth/twitter${query}`);
    expect(answer.status, answer.text).toBe(302);
    return new URL(answer.location!);
  };

  /** The browser at X: answers the callback URL X sends it back to (on our server). */
  const atX = async (authorizeUrl: URL, options: { deny?: boolean } = {}) => {
    const url = new URL(authorizeUrl);
    if (options.deny) url.searchParams.set('deny', '1');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return `${server.url}${toPath(response.headers.get('location')!)}`;
  };

  /** The callback: always a redirect (never an error status); answers where to. */
  const callback = async (jar: Jar, callbackUrl: string) => {
    const answer = await get(jar, callbackUrl);
    expect(answer.status, answer.text).toBe(302);
    expect(answer.headers['cache-control']).toBe('no-store');
    return { location: answer.location!, answer };
  };

  const signInFully = async (jar: Jar, returnTo?: string) => callback(jar, await atX(await start(jar, returnTo)));

  const userLogLength = async (user: FakeXUser) => (await server.app.services.store.streamInfo(toUserStreamKey(`x:${user.id}`))).length;

  const me = async (jar: Jar) => (await server.gql('{ me { id handle displayName avatarUrl } }', {}, jar.header())).data?.me;

  const expectSignInError = (location: string, code: string) => {
    expect(location).toBe(`${server.origin}/?signin_error=${code}`);
  };

  it('tells the UI which sign-ins it offers', async () => {
    const response = await fetch(`${server.url}/auth/providers`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ twitter: true, dev: false });
  });

  it('sends the browser to X with PKCE S256, the scopes and a fresh state', async () => {
    const jar = createJar();
    const authorize = await start(jar, '/r/abc');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(fakeX.authorizeUrl);
    const params = Object.fromEntries(authorize.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: fakeX.clientId,
      scope: 'users.read tweet.read',
      code_challenge_method: 'S256',
      redirect_uri: `${server.origin}/auth/twitter/callback`,
    });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // The browser that started is the one that may finish.
    expect(jar.get('signin-state')).toBe(params.state);
    const again = await start(createJar());
    expect(again.searchParams.get('state')).not.toBe(params.state);
    expect(again.searchParams.get('code_challenge')).not.toBe(params.code_challenge);
  });

  it('signs in: registers the X profile, starts a session and returns to the page', async () => {
    const jar = createJar();
    const { location, answer } = await signInFully(jar, '/r/room-1?x=1#latest');
    expect(location).toBe(`${server.origin}/r/room-1?x=1#latest`);
    const cookie = answer.setCookies.find((c) => c.startsWith('session='));
    expect(cookie).toMatch(/^session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/);
    expect(jar.get('signin-state')).toBeUndefined();
    expect(await me(jar)).toEqual({
      id: `x:${ALICE.id}`,
      handle: 'Alice_X',
      displayName: 'Alice Liddell',
      avatarUrl: ALICE.profile_image_url,
    });
    const created = await server.gql(
      'mutation { createRoom(name: "Wonderland") { createdBy { handle displayName avatarUrl } } }',
      {},
      jar.header(),
    );
    expect(created.data?.createRoom.createdBy).toEqual({
      handle: 'Alice_X',
      displayName: 'Alice Liddell',
      avatarUrl: ALICE.profile_image_url,
    });
  });

  it('updates the profile when it changed on X, with a new token and the old session ended', async () => {
    const first = createJar();
    await signInFully(first);
    const before = await userLogLength(ALICE);
    const oldCookie = first.header();
    // The same browser signs in again after renaming on X.
    fakeX.setUser({ ...ALICE, name: 'Alice in Wonderland', profile_image_url: undefined });
    try {
      await signInFully(first);
    } finally {
      fakeX.setUser(ALICE);
    }
    expect(first.header()).not.toBe(oldCookie);
    expect(await me(first)).toMatchObject({ id: `x:${ALICE.id}`, displayName: 'Alice in Wonderland', avatarUrl: null });
    expect(await userLogLength(ALICE)).toBe(before + 1);
    // The session the browser had before is over: a token is never promoted or kept past sign-in.
    expect((await server.gql('{ me { id } }', {}, oldCookie)).data).toEqual({ me: null });
    // Same profile again: nothing appended.
    await signInFully(createJar());
    await signInFully(createJar());
    expect(await userLogLength(ALICE)).toBe(before + 2);
  });

  it('cleans the display name X sends, and shows the handle when nothing visible is left', async () => {
    const MIRROR: FakeXUser = { id: '2718281828459045', username: 'Mirror_X', name: '' };
    const cases: [name: string, shown: string][] = [
      ['\u202eAlice\u202c\u200b \u3164Liddell\n', 'Alice Liddell'],
      ['Alice \u0301\u0301\u0300\u0302\u0303', 'Alice \u0301\u0300\u0302'],
      ['\u3164\u2800\u200b', 'Mirror_X'],
      [`${'a'.repeat(49)}😀😀`, `${'a'.repeat(49)}😀`],
    ];
    try {
      for (const [name, shown] of cases) {
        fakeX.setUser({ ...MIRROR, name });
        const jar = createJar();
        await signInFully(jar);
        expect(await me(jar), JSON.stringify(name)).toMatchObject({ handle: 'Mirror_X', displayName: shown });
      }
    } finally {
      fakeX.setUser(ALICE);
    }
  });

  it.each([
    ['https://evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['http://localhost:0/r/x', '/'],
    ['/..//evil.example/path', '/evil.example/path'],
    ['', '/'],
  ])('returnTo=%j goes to the own origin, path %j', async (returnTo, path) => {
    const { location } = await signInFully(createJar(), returnTo);
    expect(location).toBe(`${server.origin}${path}`);
    // An absolute URL on our origin: a path starting with // cannot be read as another host.
    expect(new URL(location).origin).toBe(server.origin);
  });

  describe('every failure ends on the sign-in page, creating nobody', () => {
    const STRANGER: FakeXUser = { id: '999', username: 'stranger', name: 'Stranger' };

    beforeAll(() => fakeX.setUser(STRANGER));
    afterAll(() => fakeX.setUser(ALICE));

    const expectNobody = async (jar: Jar) => {
      expect(await userLogLength(STRANGER)).toBe(0);
      expect(jar.get('session')).toBeUndefined();
      expect(await me(jar)).toBeNull();
    };

    it('the user cancels on X', async () => {
      const jar = createJar();
      const { location } = await callback(jar, await atX(await start(jar), { deny: true }));
      expectSignInError(location, 'denied');
      await expectNobody(jar);
    });

    it('X refuses with another error', async () => {
      const jar = createJar();
      const back = new URL(await atX(await start(jar), { deny: true }));
      back.searchParams.set('error', 'server_error');
      expectSignInError((await callback(jar, back.href)).location, 'provider_error');
      await expectNobody(jar);
    });

    it('a replayed callback (state already used)', async () => {
      const jar = createJar();
      const callbackUrl = await atX(await start(jar));
      const stateCookie = jar.get('signin-state');
      // The first use fails on purpose (X is down), which must still spend the state.
      fakeX.failNext('token', 'down');
      expectSignInError((await callback(jar, callbackUrl)).location, 'provider_unreachable');
      const replay = await httpGet(callbackUrl, `signin-state=${stateCookie}`);
      expectSignInError(replay.location!, 'expired');
      await expectNobody(jar);
    });

    it('a replayed callback after a successful sign-in', async () => {
      fakeX.setUser(ALICE);
      try {
        const jar = createJar();
        const callbackUrl = await atX(await start(jar));
        const stateCookie = jar.get('signin-state');
        expect((await callback(jar, callbackUrl)).location).toBe(`${server.origin}/`);
        const thief = createJar();
        const replay = await httpGet(callbackUrl, `signin-state=${stateCookie}`);
        expect(replay.status).toBe(302);
        expectSignInError(replay.location!, 'expired');
        expect(replay.setCookies.some((c) => c.startsWith('session='))).toBe(false);
        expect(await me(thief)).toBeNull();
      } finally {
        fakeX.setUser(STRANGER);
      }
    });

    it('a state that was never issued, a missing one, and one from another browser (login CSRF)', async () => {
      const jar = createJar();
      const callbackUrl = new URL(await atX(await start(jar)));
      const forged = new URL(callbackUrl);
      forged.searchParams.set('state', 'A'.repeat(43));
      expectSignInError((await callback(jar, forged.href)).location, 'expired');
      const missing = new URL(callbackUrl);
      missing.searchParams.delete('state');
      expectSignInError((await callback(createJar(), missing.href)).location, 'expired');
      // The attacker's own valid callback, opened in the victim's browser (no state cookie there).
      const victim = createJar();
      expectSignInError((await callback(victim, callbackUrl.href)).location, 'expired');
      await expectNobody(victim);
      // ... and that spent the state: the attacker's browser cannot use it either.
      expectSignInError((await callback(jar, callbackUrl.href)).location, 'expired');
      await expectNobody(jar);
    });

    it('a wrong or missing code', async () => {
      for (const code of ['not-a-code', null]) {
        const jar = createJar();
        const callbackUrl = new URL(await atX(await start(jar)));
        if (code) callbackUrl.searchParams.set('code', code);
        else callbackUrl.searchParams.delete('code');
        expectSignInError((await callback(jar, callbackUrl.href)).location, 'exchange_failed');
        await expectNobody(jar);
      }
    });

    it('a code spliced into another sign-in: the PKCE verifier does not match at X', async () => {
      // The attacker's browser got a code for its own flow; the victim's flow has another verifier.
      const attacker = createJar();
      const stolen = new URL(await atX(await start(attacker)));
      const victim = createJar();
      const own = new URL(await atX(await start(victim)));
      const spliced = new URL(own);
      spliced.searchParams.set('code', stolen.searchParams.get('code')!);
      const refusalsBefore = fakeX.tokenRefusals.length;
      expectSignInError((await callback(victim, spliced.href)).location, 'exchange_failed');
      expect(fakeX.tokenRefusals.slice(refusalsBefore)).toEqual(['invalid_grant']);
      await expectNobody(victim);
    });

    it.each([
      ['token', 'down', 'provider_unreachable'],
      ['token', 'garbage', 'exchange_failed'],
      ['token', 'wrong-shape', 'exchange_failed'],
      ['userinfo', 'down', 'provider_unreachable'],
      ['userinfo', 'garbage', 'profile_invalid'],
      ['userinfo', 'wrong-shape', 'profile_invalid'],
    ] as const)('X answers the %s request with %s → %s', async (endpoint, fault, code) => {
      const jar = createJar();
      const callbackUrl = await atX(await start(jar));
      fakeX.failNext(endpoint, fault);
      expectSignInError((await callback(jar, callbackUrl)).location, code);
      await expectNobody(jar);
    });

    it('a profile whose handle is not a handle', async () => {
      fakeX.setUser({ ...STRANGER, username: 'has space' });
      try {
        const jar = createJar();
        expectSignInError((await signInFully(jar)).location, 'profile_invalid');
        await expectNobody(jar);
      } finally {
        fakeX.setUser(STRANGER);
      }
    });

    it('a profile whose id is not an X id', async () => {
      for (const id of ['../../etc', 'abc', '', '1'.repeat(30)]) {
        fakeX.setUser({ ...STRANGER, id });
        try {
          const jar = createJar();
          expectSignInError((await signInFully(jar)).location, 'profile_invalid');
          expect(jar.get('session')).toBeUndefined();
          expect(await server.app.services.store.streamInfo(toUserStreamKey(`x:${id}`))).toMatchObject({ length: 0 });
        } finally {
          fakeX.setUser(STRANGER);
        }
      }
    });

    it('an avatar that is not an https URL is dropped, the rest kept', async () => {
      const jar = createJar();
      fakeX.setUser({ ...STRANGER, id: '998', profile_image_url: 'javascript:alert(1)' });
      try {
        expect((await signInFully(jar)).location).toBe(`${server.origin}/`);
      } finally {
        fakeX.setUser(STRANGER);
      }
      expect(await me(jar)).toMatchObject({ id: 'x:998', avatarUrl: null });
    });
  });

  it('X being unreachable (nothing listening) ends on the sign-in page', async () => {
    const downX = await startFakeX({ user: ALICE });
    const env = downX.env();
    const other = await startTestServer(kind, { env, redis: server.redis ?? undefined });
    try {
      const jar = createJar();
      const authorize = await httpGet(`${other.url}/auth/twitter`);
      jar.store(authorize.setCookies);
      const back = await fetch(authorize.location!, { redirect: 'manual' });
      await downX.close();
      const answer = await httpGet(`${other.url}${toPath(back.headers.get('location')!)}`, jar.header());
      expect(answer.status).toBe(302);
      expect(answer.location).toBe(`${other.origin}/?signin_error=provider_unreachable`);
    } finally {
      await other.stop();
    }
  });
});

describe('sign-in start behind a trusted proxy (TRUST_PROXY_HOPS=1)', () => {
  let fakeX: FakeX;
  let server: TestServer;

  beforeAll(async () => {
    fakeX = await startFakeX({ user: ALICE });
    server = await startTestServer('memory', { env: { ...fakeX.env(), RATE_LIMITS: '1', TRUST_PROXY_HOPS: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await fakeX?.close();
  });

  const start = (forwardedFor: string) =>
    fetch(`${server.url}/auth/twitter`, { redirect: 'manual', headers: { 'x-forwarded-for': forwardedFor } });

  it('counts each client by the address the proxy saw, not by the proxy, and not by what the client claims', async () => {
    // All from one TCP peer (this process), as behind a load balancer.
    for (let i = 0; i < 10; i++) expect((await start(`spoof-${i}, 198.51.100.1`)).status).toBe(302);
    expect((await start('198.51.100.1')).status).toBe(429);
    // Another client behind the same proxy has its own ten.
    expect((await start('198.51.100.2')).status).toBe(302);
  });
});

describe('sign-in start is limited to 10 a minute per IP, across instances', () => {
  let redis: TestRedis;
  let fakeX: FakeX;
  let servers: TestServer[];

  beforeAll(async () => {
    redis = await startTestRedis();
    fakeX = await startFakeX({ user: ALICE });
    servers = await Promise.all([0, 1].map(() => startTestServer('redis', { redis, env: { ...fakeX.env(), RATE_LIMITS: '1' } })));
  });
  afterAll(async () => {
    for (const server of servers ?? []) await server.stop();
    await fakeX?.close();
    await redis?.dispose();
  });

  it('answers the 11th with 429 JSON and Retry-After, and saves no state for it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${servers[i % 2]!.url}/auth/twitter`, { redirect: 'manual' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(10).fill(302));
    for (const server of servers) {
      const refused = await fetch(`${server.url}/auth/twitter`, { redirect: 'manual' });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(refused.headers.getSetCookie()).toEqual([]);
      const body = (await refused.json()) as { error: { code: string; retryAfterMs: number } };
      expect(body.error.code).toBe('RATE_LIMITED');
      expect(body.error.retryAfterMs).toBeGreaterThan(0);
    }
  });
});
