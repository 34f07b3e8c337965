import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/**
 * The load generator's HTTP client: `node:http` over a keep-alive Agent (one socket per concurrent
 * worker at most). Chosen because client and servers share 2 cores: against a trivial node:http
 * server at 50 concurrent, it cost the bench process ≈ 45 µs of CPU per request (≈ 21k req/s),
 * where Node 20's global `fetch` (undici, WHATWG streams and Headers) cost 320–730 µs (2–3.6k req/s).
 * BENCH_CLIENT=fetch switches to `fetch` for comparison.
 */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpClient {
  post(path: string, body: string, headers?: Record<string, string>): Promise<HttpResponse>;
  /** POST /graphql with a JSON body; throws unless the status is 200 and the result holds no errors. */
  graphql(query: string, variables: Record<string, unknown>, cookie?: string): Promise<string>;
  close(): void;
}

export type HttpClientKind = 'http' | 'fetch';

export const createHttpClient = (baseUrl: string, options: { maxSockets: number; kind?: HttpClientKind }): HttpClient =>
  options.kind === 'fetch' ? createFetchClient(baseUrl) : createNodeHttpClient(baseUrl, options.maxSockets);

const graphqlOver =
  (post: HttpClient['post']): HttpClient['graphql'] =>
  async (query, variables, cookie) => {
    const response = await post('/graphql', JSON.stringify({ query, variables }), {
      accept: 'application/graphql-response+json',
      ...(cookie ? { cookie } : {}),
    });
    // A substring test rather than JSON.parse keeps the client cheap; no payload here holds that text otherwise.
    if (response.status !== 200 || response.body.includes('"errors"')) {
      throw new Error(`HTTP ${response.status}: ${response.body.slice(0, 300)}`);
    }
    return response.body;
  };

const createNodeHttpClient = (baseUrl: string, maxSockets: number): HttpClient => {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });

  const post: HttpClient['post'] = (path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  return { post, graphql: graphqlOver(post), close: () => agent.destroy() };
};

/** The global `fetch` (undici, keep-alive by default), kept for comparing client costs: BENCH_CLIENT=fetch. */
const createFetchClient = (baseUrl: string): HttpClient => {
  const post: HttpClient['post'] = async (path, body, headers = {}) => {
    const response = await fetch(new URL(path, baseUrl), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const responseHeaders: IncomingHttpHeaders = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    const setCookie = response.headers.getSetCookie();
    if (setCookie.length > 0) responseHeaders['set-cookie'] = setCookie;
    return { status: response.status, headers: responseHeaders, body: await response.text() };
  };
  return { post, graphql: graphqlOver(post), close: () => {} };
};
