/**
 * PLACEHOLDER entry point of the OpenKCM KMIP server (the KMIP work replaces it). The dev
 * stack relies on: config from OPENKCM_* env vars, `GET /healthz` on the admin port
 * (OPENKCM_KMIP_ADMIN_PORT), KMIP on OPENKCM_KMIP_PORT, clean stop on SIGTERM.
 */
import http from 'node:http';

const host = process.env.OPENKCM_LISTEN_HOST ?? '127.0.0.1';
const adminPort = Number(process.env.OPENKCM_KMIP_ADMIN_PORT ?? 9696);

const admin = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  res.writeHead(404).end();
});

admin.listen(adminPort, host, () => {
  console.log(`openkcm-kmip admin listening on http://${host}:${adminPort} (KMIP listener not implemented yet)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => admin.close(() => process.exit(0)));
}
