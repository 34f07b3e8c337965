import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { defineConfig, type ProxyOptions } from 'vite';
import solid from 'vite-plugin-solid';

/** Where `npm run dev` finds the backend (started by frontend/scripts/dev.mjs on PORT, default 4000). */
const backend = process.env.BACKEND_URL ?? `http://localhost:${process.env.PORT ?? '4000'}`;

/**
 * The backend refuses browser requests and WebSocket upgrades from origins it does not know. The dev
 * server is a second origin in front of it, so requests that come from the dev server's own pages
 * get the backend's origin; any other site's Origin passes through unchanged and is still refused.
 */
const asBackendOrigin: ProxyOptions['configure'] = (proxy) => {
  const rewrite = (proxyReq: { getHeader(name: string): unknown; setHeader(name: string, value: string): void }, req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin && req.headers.host && new URL(origin).host === req.headers.host) proxyReq.setHeader('origin', new URL(backend).origin);
  };
  proxy.on('proxyReq', rewrite);
  proxy.on('proxyReqWs', rewrite);
};

export default defineConfig({
  root: fileURLToPath(new URL('./frontend', import.meta.url)),
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The Solid transform is most of a build's time by nature; no need to say so on every start.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: backend, ws: true, changeOrigin: true, configure: asBackendOrigin },
      '/auth': { target: backend, changeOrigin: true, configure: asBackendOrigin },
    },
  },
  preview: { port: 4173 },
});
