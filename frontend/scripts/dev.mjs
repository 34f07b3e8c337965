#!/usr/bin/env node
// `npm run dev`: the backend (restarting on change) and Vite with hot reload in front of it.
// Open the Vite URL; it proxies /graphql (HTTP and WebSocket) and /auth to the backend.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('../../', import.meta.url));
const port = process.env.PORT ?? '4000';

const backend = spawn(join(root, 'node_modules/.bin/tsx'), ['watch', 'backend/src/main.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORT: port },
});

const vite = await createServer({ configFile: join(root, 'vite.config.ts') });
await vite.listen();
vite.printUrls();
console.log(`  backend on http://localhost:${port} (proxied)`);

let stopping = false;
const stop = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  backend.kill('SIGTERM');
  await vite.close();
  process.exit(code);
};
backend.on('exit', (code) => void stop(code ?? 1));
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
