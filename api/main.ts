/**
 * PLACEHOLDER entry point of the OpenKCM API process (the API work replaces it). It shows the
 * contract the dev stack relies on: config from OPENKCM_* env vars, `GET /healthz`, the built
 * console served at `/`, the API under `/api` (one origin, no CORS), clean stop on SIGTERM.
 */
import Koa from 'koa';
import serve from 'koa-static';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const host = process.env.OPENKCM_LISTEN_HOST ?? '127.0.0.1';
const port = Number(process.env.OPENKCM_API_PORT ?? 8080);
const consoleDir = process.env.OPENKCM_CONSOLE_DIR ?? fileURLToPath(new URL('../console/dist', import.meta.url));

const app = new Koa();

app.use(async (ctx, next) => {
  if (ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
    return;
  }
  if (ctx.path === '/api' || ctx.path.startsWith('/api/')) {
    ctx.status = 404;
    ctx.body = { error: 'not_found', message: `no route ${ctx.method} ${ctx.path}` };
    return;
  }
  await next();
});

app.use(serve(consoleDir, { index: 'index.html' }));

// Client-side routes of the single-page console fall back to its index.html.
app.use(async (ctx) => {
  const index = path.join(consoleDir, 'index.html');
  if (ctx.method !== 'GET' || !existsSync(index)) return;
  ctx.type = 'html';
  ctx.body = await readFile(index);
});

const server = app.listen(port, host, () => {
  console.log(`openkcm-api listening on http://${host}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
