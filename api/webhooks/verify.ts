import type { Context } from 'koa';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../lib/webhooks/signature.js';
import type { ApiConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { readRawBody } from '../http/body.js';

/**
 * Platform Mesh requests carry `X-OpenKCM-Signature` over the raw body (empty for GET). A
 * missing, malformed, stale or wrong signature is a 401; the reason is safe to say.
 */
export function platformVerifier(config: ApiConfig['webhook'], now: () => Date) {
  return async function verifyPlatform(ctx: Context): Promise<void> {
    const raw = await readRawBody(ctx);
    const check = verifyWebhookSignature(config.secret, raw, ctx.get(SIGNATURE_HEADER) || undefined, {
      toleranceSeconds: config.toleranceSeconds,
      nowSeconds: Math.floor(now().getTime() / 1000),
    });
    if (!check.ok) {
      const message = check.reason === 'expired' ? 'the signature timestamp is outside the tolerance' : 'invalid or missing signature';
      throw new ApiError(401, 'unauthenticated', message, { reason: check.reason });
    }
  };
}
