import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body accepted anywhere (GraphQL documents, sign-in). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code: string) {
    super(message);
  }
}

export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
};

export const sendError = (res: ServerResponse, error: HttpError) =>
  sendJson(res, error.status, { error: { code: error.code, message: error.message } });

/** The whole body, or `HttpError` 413 as soon as it passes the limit (without reading the rest). */
export const readBody = (req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const tooLarge = (limit: number) => new HttpError(413, `Request body larger than ${limit} bytes`, 'PAYLOAD_TOO_LARGE');

/** A JSON body, or `HttpError` 400/413/415. */
export const readJsonBody = async (req: IncomingMessage): Promise<unknown> => {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'Send the body as application/json', 'UNSUPPORTED_MEDIA_TYPE');
  const body = await readBody(req);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'The body is not valid JSON', 'BAD_REQUEST');
  }
};

/** Is the browser request's Origin (if it sent one) one of ours? Non-browser clients send none. */
export const isAllowedOrigin = (req: IncomingMessage, allowedOrigins: readonly string[]): boolean => {
  const origin = req.headers.origin;
  return origin === undefined || allowedOrigins.includes(origin);
};

export const toHeaders = (req: IncomingMessage): Headers => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
};
