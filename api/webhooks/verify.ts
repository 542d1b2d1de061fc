import type { Context } from 'koa';
import { SIGNATURE_HEADER, verifyWebhookSignature, type SignatureCheck } from '../../lib/webhooks/signature.js';
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
    const header = ctx.get(SIGNATURE_HEADER) || undefined;
    const options = { toleranceSeconds: config.toleranceSeconds, nowSeconds: Math.floor(now().getTime() / 1000) };
    // The current secret first, then earlier ones still accepted during a rotation.
    let check: SignatureCheck = { ok: false, reason: 'missing' };
    for (const [index, secret] of config.secrets.entries()) {
      const attempt = verifyWebhookSignature(secret, raw, header, options);
      if (index === 0 || attempt.ok) check = attempt;
      if (attempt.ok || attempt.reason !== 'mismatch') break;
    }
    if (!check.ok) {
      const message = check.reason === 'expired' ? 'the signature timestamp is outside the tolerance' : 'invalid or missing signature';
      throw new ApiError(401, 'unauthenticated', message, { reason: check.reason });
    }
  };
}
