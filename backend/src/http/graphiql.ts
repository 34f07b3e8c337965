import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { escapeHtml } from './httpUtil.js';

/**
 * GraphiQL served by this server, with nothing from a CDN: Yoga's GraphiQL build as
 * @graphql-yoga/render-graphiql ships it (the bundle, its styles, the Monaco editor's workers),
 * each at its own URL under /graphiql/<content hash>/, cached for a year. The page itself is Yoga's
 * (at /graphql, under its own CSP: `toGraphiQLContentSecurityPolicy`); it loads these by URL rather
 * than inlining ~9 MB into every page, as the package's own renderer does.
 *
 * The build is read on the first request that needs it, not at start: a chat server rarely serves
 * GraphiQL, and never in production with introspection off.
 */

export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

interface Asset {
  type: string;
  body: Buffer;
}

interface Build {
  /** A hash of every asset: the path segment that changes whenever any of them does. */
  version: string;
  favicon: string;
  assets: Map<string, Asset>;
}

let build: Promise<Build> | null = null;

const loadBuild = (): Promise<Build> =>
  (build ??= import('@graphql-yoga/render-graphiql/graphiql').then(
    ({ css, editorWorkerService, favicon, graphqlWorker, js, jsonWorker }) => {
      const javascript = 'text/javascript; charset=utf-8';
      const assets = new Map<string, Asset>([
        ['graphiql.js', { type: javascript, body: Buffer.from(js) }],
        ['graphiql.css', { type: 'text/css; charset=utf-8', body: Buffer.from(css) }],
        // Named after Monaco's worker labels (see `getWorkerUrl` in the page).
        ['editorWorkerService.worker.js', { type: javascript, body: Buffer.from(editorWorkerService) }],
        ['json.worker.js', { type: javascript, body: Buffer.from(jsonWorker) }],
        ['graphql.worker.js', { type: javascript, body: Buffer.from(graphqlWorker) }],
      ]);
      const hash = createHash('sha256');
      for (const { body } of assets.values()) hash.update(body);
      return { version: hash.digest('hex').slice(0, 16), favicon, assets };
    },
  ));

/** JSON for an inline script: `<` escaped, so no value can close the script element. */
const toScriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Yoga's `renderGraphiQL`: the page, with the bundle and styles by URL. */
export const renderGraphiQL = async (options: { title?: string } & Record<string, unknown>): Promise<string> => {
  const { version, favicon } = await loadBuild();
  const base = `${GRAPHIQL_ASSETS_PATH}${version}/`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options.title ?? 'GraphiQL')}</title>
    <link rel="icon" href="${favicon}" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_, label) { return ${toScriptJson(base)} + label + '.worker.js'; } };</script>
    <script src="${base}graphiql.js"></script>
    <script>YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${toScriptJson(options)});</script>
  </body>
</html>
`;
};

/**
 * Answers a GET or HEAD for a path under `GRAPHIQL_ASSETS_PATH`: the asset when the version is the
 * current one (immutable for a year), else false (the caller answers 404).
 */
export const serveGraphiQLAsset = async (res: ServerResponse, path: string, method: string): Promise<boolean> => {
  const [version, name, ...rest] = path.slice(GRAPHIQL_ASSETS_PATH.length).split('/');
  if (rest.length > 0 || !version || !name) return false;
  const current = await loadBuild();
  const asset = version === current.version ? current.assets.get(name) : undefined;
  if (!asset) return false;
  res.writeHead(200, {
    'content-type': asset.type,
    'content-length': asset.body.length,
    'cache-control': 'public, max-age=31536000, immutable',
  });
  res.end(method === 'HEAD' ? undefined : asset.body);
  return true;
};
