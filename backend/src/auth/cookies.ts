/**
 * The session cookie, as text. Pure: no request or response objects, so the HTTP and WebSocket
 * layers share it.
 */

const isHttps = (publicUrl: URL) => publicUrl.protocol === 'https:';

// RFC 6265 cookie-value characters (no quotes, commas, semicolons, backslashes, spaces, controls).
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;

/**
 * `__Host-session` when `publicUrl` is https, else `session`. The `__Host-` prefix makes browsers
 * accept the cookie only with `Secure`, `Path=/` and no `Domain`, so a sibling subdomain cannot
 * plant or shadow it; browsers refuse it over plain http, hence the fallback.
 */
export const sessionCookieName = (publicUrl: URL): string => (isHttps(publicUrl) ? '__Host-session' : 'session');

const toCookieAttributes = (publicUrl: URL, maxAgeSeconds: number) =>
  `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${isHttps(publicUrl) ? '; Secure' : ''}`;

/**
 * A `Set-Cookie` value carrying the session token: `HttpOnly`, `SameSite=Lax` (the cookie still
 * comes along when a link or the OAuth provider's redirect brings the user back), `Path=/`, and
 * `Secure` when `publicUrl` is https.
 *
 * @throws TypeError when `token` holds characters a cookie value cannot (it would corrupt the
 *   header), RangeError when `maxAgeSeconds` is not a non-negative integer.
 */
export const serializeSessionCookie = (token: string, options: { publicUrl: URL; maxAgeSeconds: number }): string => {
  if (!COOKIE_VALUE.test(token)) throw new TypeError('session token is not a valid cookie value');
  if (!Number.isSafeInteger(options.maxAgeSeconds) || options.maxAgeSeconds < 0) {
    throw new RangeError(`cookie Max-Age must be a non-negative integer, got ${options.maxAgeSeconds}`);
  }
  return `${sessionCookieName(options.publicUrl)}=${token}; ${toCookieAttributes(options.publicUrl, options.maxAgeSeconds)}`;
};

/**
 * A `Set-Cookie` value that makes the browser drop the session cookie (empty value, `Max-Age=0`).
 * Same name and attributes as the one that set it, which browsers need to match it.
 */
export const serializeClearedSessionCookie = (publicUrl: URL): string =>
  `${sessionCookieName(publicUrl)}=; ${toCookieAttributes(publicUrl, 0)}`;

/**
 * The value of cookie `name` in a `Cookie` request header, or null when it is absent. Never throws.
 * Splits on `;`, trims around names and values, keeps `=` inside values, drops one pair of
 * surrounding double quotes, and skips pieces without `=`. Values are returned as sent (no percent
 * decoding). With duplicates the first wins: browsers send the most specific path first.
 */
export const readCookie = (header: string | undefined, name: string): string | null => {
  if (typeof header !== 'string' || header === '') return null;
  for (const piece of header.split(';')) {
    const equals = piece.indexOf('=');
    if (equals === -1) continue;
    if (piece.slice(0, equals).trim() !== name) continue;
    const value = piece.slice(equals + 1).trim();
    const quoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
    return quoted ? value.slice(1, -1) : value;
  }
  return null;
};
