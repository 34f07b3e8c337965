import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeX, startFakeX } from '../testing/fakeX.js';

/*
 * The fake X provider checks what X checks; if it let these through, the sign-in tests that rely
 * on it (PKCE mismatch, replayed codes) would prove nothing.
 */

const REDIRECT = 'http://localhost:4000/auth/twitter/callback';
const VERIFIER = 'a'.repeat(50);
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('fake X provider', () => {
  let fake: FakeX;
  beforeAll(async () => {
    fake = await startFakeX({ user: { id: '42', username: 'fake', name: 'Fake' } });
  });
  afterAll(() => fake.close());

  const authorize = async (params: Record<string, string> = {}) => {
    const url = new URL(fake.authorizeUrl);
    const all = {
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: REDIRECT,
      scope: 'users.read tweet.read',
      state: 's',
      code_challenge: challengeOf(VERIFIER),
      code_challenge_method: 'S256',
      ...params,
    };
    for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
    const response = await fetch(url, { redirect: 'manual' });
    return response.status === 302 ? new URL(response.headers.get('location')!) : null;
  };
  const basic = (id = fake.clientId, secret = fake.clientSecret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = async (code: string, options: { verifier?: string; authorization?: string; redirectUri?: string } = {}) => {
    const response = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: options.authorization ?? basic() },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: options.redirectUri ?? REDIRECT,
        code_verifier: options.verifier ?? VERIFIER,
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };

  it('issues a code, exchanges it once with the right verifier, and serves the user to its token', async () => {
    const code = (await authorize())!.searchParams.get('code')!;
    const first = await token(code);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    expect((await token(code)).body.error).toBe('invalid_grant');
    const me = await fetch(fake.userinfoUrl, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    expect(await me.json()).toEqual({ data: { id: '42', username: 'fake', name: 'Fake' } });
    expect((await fetch(fake.userinfoUrl, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('refuses a verifier that does not match the challenge, and spends the code doing so', async () => {
    const code = (await authorize())!.searchParams.get('code')!;
    expect(await token(code, { verifier: 'b'.repeat(50) })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await token(code)).body.error).toBe('invalid_grant');
  });

  it('refuses bad client authentication and a different redirect URI', async () => {
    const code = (await authorize())!.searchParams.get('code')!;
    expect((await token(code, { authorization: basic(fake.clientId, 'wrong') })).status).toBe(401);
    const code2 = (await authorize())!.searchParams.get('code')!;
    expect((await token(code2, { redirectUri: 'http://evil.example/cb' })).body.error).toBe('invalid_grant');
  });

  it('insists on PKCE S256 and the registered client', async () => {
    expect((await authorize({ code_challenge_method: 'plain' }))!.searchParams.get('error')).toBe('invalid_request');
    expect(await authorize({ client_id: 'someone-else' })).toBeNull();
    expect((await authorize({ deny: '1' }))!.searchParams.get('error')).toBe('access_denied');
  });
});
