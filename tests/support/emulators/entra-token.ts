import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SelfSigned } from './self-signed.js';

/**
 * A small OAuth2 client-credentials authority in the shape of Entra ID (OpenID discovery document
 * plus token endpoint under /<tenant>/), so ClientSecretCredential runs its real code path against
 * Lowkey Vault, and wrong client secrets are actually refused. Lowkey Vault itself accepts any
 * bearer token; this server is where credentials are checked.
 */
export interface EntraTokenServer {
  authorityHost: string;
  /** Registers a service principal in a tenant. */
  register(tenantId: string, clientId: string, clientSecret: string): void;
  tokensIssued(): number;
  stop(): Promise<void>;
}

export async function startEntraTokenServer(cert: SelfSigned): Promise<EntraTokenServer> {
  const principals = new Map<string, string>();
  let issued = 0;
  const server = https.createServer({ key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const [tenant, ...rest] = url.pathname.split('/').filter(Boolean);
    const route = rest.join('/');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const base = `https://${req.headers.host}/${tenant}`;
    if (req.method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
      json(200, {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }
    if (req.method === 'POST' && route === 'oauth2/v2.0/token') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const known = tenant ? principals.get(`${tenant}/${form.get('client_id') ?? ''}`) : undefined;
        const given = Buffer.from(form.get('client_secret') ?? '');
        if (form.get('grant_type') !== 'client_credentials') {
          json(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: only client_credentials' });
        } else if (!known) {
          json(400, { error: 'unauthorized_client', error_description: 'AADSTS700016: Application not found in the directory.' });
        } else if (given.length !== known.length || !timingSafeEqual(given, Buffer.from(known))) {
          json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        } else {
          issued++;
          json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: randomBytes(24).toString('base64url') });
        }
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    authorityHost: `https://127.0.0.1:${port}`,
    register: (tenantId, clientId, clientSecret) => principals.set(`${tenantId}/${clientId}`, clientSecret),
    tokensIssued: () => issued,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
