import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Logger } from 'pino';
import { isValidIdentifier } from '../../lib/pki/names.js';

export interface AdminDeps {
  /** True once every worker is listening. */
  ready(): boolean;
  status(): Record<string, unknown>;
  metrics(): Promise<{ contentType: string; body: string }>;
  /** Refreshes the tenant and drops its keys in every worker; resolves once all confirmed. */
  invalidate(tenantId: string): Promise<void>;
  /** `Bearer <token>` the workflows present (kmipAdminToken of the platform key). */
  readonly token: string;
  readonly log: Logger;
}

const INVALIDATE = /^\/internal\/tenants\/([^/]+)\/invalidate$/;

/**
 * The node's admin endpoint (loopback or the cluster network, never the KMIP port):
 * `GET /healthz`, `GET /metrics` (all workers aggregated), and
 * `POST /internal/tenants/:id/invalidate`, answered 204 only after every worker has re-read
 * the tenant's state and dropped its keys.
 */
export function createAdminServer(deps: AdminDeps): http.Server {
  const expected = Buffer.from(`Bearer ${deps.token}`);
  const authorized = (req: http.IncomingMessage): boolean => {
    const got = Buffer.from(req.headers.authorization ?? '');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
  return http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0]!;
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
    };
    void (async () => {
      try {
        if (req.method === 'GET' && url === '/healthz') {
          const ok = deps.ready();
          reply(ok ? 200 : 503, { status: ok ? 'ok' : 'starting', ...deps.status() });
          return;
        }
        if (req.method === 'GET' && url === '/metrics') {
          const m = await deps.metrics();
          res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
          return;
        }
        const match = INVALIDATE.exec(url);
        if (match) {
          if (req.method !== 'POST') return reply(405, { error: 'method not allowed' });
          if (!authorized(req)) return reply(401, { error: 'unauthorized' });
          const tenantId = decodeURIComponent(match[1]!);
          if (!isValidIdentifier(tenantId)) return reply(400, { error: 'invalid tenant id' });
          await deps.invalidate(tenantId);
          deps.log.info({ tenantId }, 'tenant invalidated on every worker');
          res.writeHead(204).end();
          return;
        }
        reply(404, { error: 'not found' });
      } catch (error) {
        deps.log.warn({ err: (error as Error).message, url }, 'admin request failed');
        if (!res.headersSent) reply(503, { error: (error as Error).message });
      }
    })();
  });
}
