/**
 * Where a sign-in sends the browser back to. Pure.
 *
 * Only a path on our own origin is honoured: `returnTo` arrives in a link anyone can craft, and an
 * open redirect behind a trusted sign-in page is a phishing tool.
 */

const MAX_RETURN_TO_LENGTH = 2048;
// Controls (tabs and newlines are dropped by URL parsers, which turns `/\t/evil` into `//evil`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/u;

/**
 * The same-origin path (with query and fragment) that `raw` names, normalised, or `/` for anything
 * else: absolute and protocol-relative URLs (`https://evil.example`, `//evil.example`,
 * `/\evil.example`), other schemes, control characters, over-long values, a missing value.
 * The result always starts with exactly one `/`.
 */
export const toSafeReturnPath = (raw: unknown, publicUrl: URL): string => {
  if (typeof raw !== 'string' || raw === '' || raw.length > MAX_RETURN_TO_LENGTH) return '/';
  // Only a path: anything with a scheme or an authority is refused before parsing can reinterpret it.
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || CONTROL.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, publicUrl.origin);
  } catch {
    return '/';
  }
  if (url.origin !== publicUrl.origin) return '/';
  // `/..//evil.example` parses to the path `//evil.example`: a Location of that would leave the site.
  const path = `/${url.pathname.replace(/^[/\\]+/, '')}`;
  return `${path}${url.search}${url.hash}`;
};

/** The absolute URL to redirect to: our own origin and a path from `toSafeReturnPath`. */
export const toReturnUrl = (path: string, publicUrl: URL): string => `${publicUrl.origin}${path}`;
