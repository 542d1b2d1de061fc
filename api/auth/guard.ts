import type { Context } from 'koa';
import type { TenantRepository } from '../../lib/tenants/repository.js';
import { errors } from '../errors.js';
import type { Principal } from '../http/route.js';
import type { TokenService } from './tokens.js';

/**
 * Who is calling: a valid bearer token whose tenant still exists. A tenant that is gone or
 * offboarded turns its tokens into 401s, so offboarding also ends console sessions.
 */
export function bearerAuthenticator(tokens: TokenService, tenants: TenantRepository) {
  return async function authenticate(ctx: Context): Promise<Principal> {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
    if (!match) throw errors.unauthenticated();
    const principal = await tokens.verify(match[1]!);
    const tenant = await tenants.get(principal.tenantId);
    if (!tenant || tenant.status === 'offboarded') throw errors.unauthenticated('the tenant no longer exists');
    return principal;
  };
}
