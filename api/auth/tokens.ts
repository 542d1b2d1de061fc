import { SignJWT, createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { IDENTIFIER_PATTERN } from '../../lib/tenants/model.js';
import type { ApiConfig } from '../config.js';
import { errors } from '../errors.js';
import type { Principal, Role } from '../http/route.js';
import type { SigningKey, SigningKeyRepository } from './signing-keys.js';

/**
 * Bearer tokens. The built-in issuer (`iss` = the public URL) signs ES256 tokens for users who
 * log in here; an external identity provider (OPENKCM_JWT_ISSUER + OPENKCM_JWT_JWKS_URL) is
 * trusted for its own `iss`, verified against its JWKS. Either way the claims must name a
 * tenant and a role; the token's issuer picks the key, and nothing else is accepted.
 */
export const BUILTIN_AUDIENCE = 'openkcm-api';

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  tenant: z.string().regex(IDENTIFIER_PATTERN),
  role: z.enum(['admin', 'auditor']),
});

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export class TokenService {
  private signingKey?: Promise<SigningKey>;
  private readonly remoteJwks?: JWTVerifyGetKey;

  constructor(
    private readonly config: ApiConfig['jwt'],
    private readonly keys: SigningKeyRepository,
    private readonly now: () => Date,
  ) {
    if (config.external) this.remoteJwks = createRemoteJWKSet(new URL(config.external.jwksUrl));
  }

  private key(): Promise<SigningKey> {
    this.signingKey ??= this.keys.loadOrCreate(this.now()).catch((error: unknown) => {
      this.signingKey = undefined;
      throw error;
    });
    return this.signingKey;
  }

  async issue(subject: { username: string; tenantId: string; role: Role }): Promise<IssuedToken> {
    const key = await this.key();
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expiresAt = issuedAt + this.config.ttlSeconds;
    const token = await new SignJWT({ tenant: subject.tenantId, role: subject.role })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setSubject(subject.username)
      .setIssuer(this.config.builtinIssuer)
      .setAudience(BUILTIN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The caller, or a 401 that says no more than "invalid or expired". */
  async verify(token: string): Promise<Principal> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw errors.unauthenticated('invalid token');
    }
    const currentDate = this.now();
    try {
      if (issuer === this.config.builtinIssuer) {
        const key = await this.key();
        const { payload } = await jwtVerify(token, key.publicKey, {
          issuer: this.config.builtinIssuer,
          audience: BUILTIN_AUDIENCE,
          algorithms: ['ES256'],
          currentDate,
        });
        return principal(payload, 'builtin');
      }
      const external = this.config.external;
      if (external && this.remoteJwks && issuer === external.issuer) {
        const { payload } = await jwtVerify(token, this.remoteJwks, {
          issuer: external.issuer,
          ...(external.audience ? { audience: external.audience } : {}),
          algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
          currentDate,
        });
        return principal(payload, 'external');
      }
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw errors.unauthenticated('token expired');
      if (error instanceof joseErrors.JOSEError) throw errors.unauthenticated('invalid token');
      throw error;
    }
    throw errors.unauthenticated('invalid token');
  }
}

function principal(payload: unknown, issuer: Principal['issuer']): Principal {
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw errors.unauthenticated('token lacks the tenant or role claim');
  return { username: claims.data.sub, tenantId: claims.data.tenant, role: claims.data.role, issuer };
}
