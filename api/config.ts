import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, type Config } from '../lib/config/env.js';
import { parsePlatformKeys } from '../lib/secrets/index.js';

/**
 * What only the API process reads, on top of the shared configuration (lib/config). Timers are
 * configuration so tests can shorten them; the JWT settings choose between the built-in issuer
 * (embedded default) and an external identity provider.
 */
const positiveMs = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  OPENKCM_PROVISION_SLA_MS: positiveMs.default(300_000),
  OPENKCM_ACTIVATION_SLA_MS: positiveMs.default(120_000),
  // Every check calls the customer's keystore (KMS requests are billed): once a minute per tenant.
  OPENKCM_HEALTH_INTERVAL_MS: positiveMs.default(60_000),
  /** How long the API waits for a workflow it awaits inline (L1 test, rotation, revocation). */
  OPENKCM_API_WORKFLOW_WAIT_MS: positiveMs.default(60_000),
  OPENKCM_JWT_ISSUER: z.string().min(1).optional(),
  OPENKCM_JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  OPENKCM_JWT_AUDIENCE: z.string().min(1).optional(),
  OPENKCM_JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  OPENKCM_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** host:port MongoDB services dial; defaults to OPENKCM_KMIP_HOST:OPENKCM_KMIP_PORT. */
  OPENKCM_KMIP_PUBLIC_ENDPOINT: z.string().min(1).optional(),
  OPENKCM_CONSOLE_DIR: z.string().min(1).optional(),
  /** The dev stack's name for the listen address; OPENKCM_API_HOST wins when both are set. */
  OPENKCM_LISTEN_HOST: z.string().min(1).optional(),
  OPENKCM_API_HOST: z.string().min(1).optional(),
  /** Trust X-Forwarded-For (only behind a proxy that sets it), so rate limits see client addresses. */
  OPENKCM_TRUST_PROXY: flag.default(false),
});

export interface LoginLimits {
  /** Failed logins per tenant/username before 429. */
  perUser: { max: number; windowMs: number };
  /** Failed logins per client address before 429. */
  perAddress: { max: number; windowMs: number };
}

export interface ApiConfig {
  publicUrl: string;
  taskQueue: string;
  provisionSlaMs: number;
  activationSlaMs: number;
  healthIntervalMs: number;
  workflowWaitMs: number;
  kmipEndpoint: string;
  consoleDir?: string;
  listenHost: string;
  listenPort: number;
  trustProxy: boolean;
  jwt: {
    /** The built-in issuer's `iss`: the public URL. */
    builtinIssuer: string;
    ttlSeconds: number;
    external?: { issuer: string; jwksUrl: string; audience?: string };
  };
  /** The current secret first; earlier ones are still accepted (rotation). */
  webhook: { secrets: Buffer[]; toleranceSeconds: number };
  loginLimits: LoginLimits;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUser: { max: 5, windowMs: 15 * 60_000 },
  perAddress: { max: 20, windowMs: 15 * 60_000 },
};

export function loadApiConfig(base: Config, webhookSecrets: Buffer[], env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${fields}`);
  }
  const e = parsed.data;
  if ((e.OPENKCM_JWT_ISSUER === undefined) !== (e.OPENKCM_JWT_JWKS_URL === undefined)) {
    throw new ConfigError('invalid configuration: set both OPENKCM_JWT_ISSUER and OPENKCM_JWT_JWKS_URL, or neither');
  }
  const publicUrl = base.api.publicUrl.replace(/\/+$/, '');
  return {
    publicUrl,
    taskQueue: base.temporal.taskQueue,
    provisionSlaMs: e.OPENKCM_PROVISION_SLA_MS,
    activationSlaMs: e.OPENKCM_ACTIVATION_SLA_MS,
    healthIntervalMs: e.OPENKCM_HEALTH_INTERVAL_MS,
    workflowWaitMs: e.OPENKCM_API_WORKFLOW_WAIT_MS,
    kmipEndpoint: e.OPENKCM_KMIP_PUBLIC_ENDPOINT ?? `${base.kmip.host}:${base.kmip.port}`,
    ...(e.OPENKCM_CONSOLE_DIR ? { consoleDir: e.OPENKCM_CONSOLE_DIR } : {}),
    listenHost: e.OPENKCM_API_HOST ?? e.OPENKCM_LISTEN_HOST ?? base.api.host,
    listenPort: base.api.port,
    trustProxy: e.OPENKCM_TRUST_PROXY,
    jwt: {
      builtinIssuer: publicUrl,
      ttlSeconds: e.OPENKCM_JWT_TTL_SECONDS,
      ...(e.OPENKCM_JWT_ISSUER && e.OPENKCM_JWT_JWKS_URL
        ? {
            external: {
              issuer: e.OPENKCM_JWT_ISSUER,
              jwksUrl: e.OPENKCM_JWT_JWKS_URL,
              ...(e.OPENKCM_JWT_AUDIENCE ? { audience: e.OPENKCM_JWT_AUDIENCE } : {}),
            },
          }
        : {}),
    },
    webhook: { secrets: webhookSecrets, toleranceSeconds: e.OPENKCM_WEBHOOK_TOLERANCE_SECONDS },
    loginLimits: DEFAULT_LOGIN_LIMITS,
  };
}

/**
 * The shared webhook secret, in the platform key file format the worker also reads
 * (lib/secrets): one base64 line of 32 bytes, the HMAC key being the decoded bytes. Further
 * lines are earlier secrets, still accepted on incoming requests while a rotation completes.
 * The CLI reads it the same way; only the server processes create it.
 */
export async function readWebhookSecrets(file: string): Promise<Buffer[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the webhook secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const keys = parsePlatformKeys(text, file);
    return [keys.current, ...keys.previous];
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}
