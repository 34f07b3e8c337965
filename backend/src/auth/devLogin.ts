import { z } from 'zod';

/**
 * The development sign-in (`POST /auth/dev`, only with `AUTH_DEV_LOGIN` on): the body names a
 * handle, and the handle alone is the identity. Pure; the HTTP route does the rest.
 */

const HANDLE_MESSAGE = 'handle must be 1–15 characters of letters, digits and underscores';

const devLoginBodySchema = z.object(
  { handle: z.string({ error: HANDLE_MESSAGE }).regex(/^[A-Za-z0-9_]{1,15}$/, { error: HANDLE_MESSAGE }) },
  { error: 'body must be a JSON object with a "handle"' },
);

/**
 * Reads `{"handle": "alice"}`. The handle must be 1–15 of `[A-Za-z0-9_]`, exactly as sent (no
 * trimming); it is returned with its case intact, for display. Other fields are ignored. Never
 * throws: a bad body gives `ok: false` with one message fit for a 400 response.
 */
export const parseDevLoginBody = (body: unknown): { ok: true; handle: string } | { ok: false; message: string } => {
  const parsed = devLoginBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? HANDLE_MESSAGE };
  return { ok: true, handle: parsed.data.handle };
};

/**
 * The user id of a dev handle: `dev:` + the handle in lower case, so `Alice` and `alice` are one
 * user (handles are case-insensitive, like X's); the prefix keeps dev ids apart from other sign-ins'.
 */
export const toDevUserId = (handle: string): string => `dev:${handle.toLowerCase()}`;
