import type { Context } from 'koa';
import type { ApiDeps } from '../deps.js';
import { errors } from '../errors.js';
import { route, type AnyRoute, type Principal } from '../http/route.js';
import { auditUser } from '../audit/record.js';
import { FailureLimiter } from './rate-limit.js';
import { loginBody, loginResponse, passwordBody, userView } from './schema.js';
import type { TokenService } from './tokens.js';

/**
 * Login for the built-in issuer. Failures are counted per client address and per
 * tenant/username; at the limit the answer is 429 with Retry-After before any password is
 * checked. A wrong username costs the same scrypt as a wrong password (UserRepository), and
 * every attempt against an existing tenant is audited.
 */
export function authRoutes(deps: ApiDeps, tokens: TokenService): AnyRoute[] {
  const { users, tenants } = deps.repos;
  const clock = () => deps.now().getTime();
  const perUser = new FailureLimiter(deps.config.loginLimits.perUser, clock);
  const perAddress = new FailureLimiter(deps.config.loginLimits.perAddress, clock);

  const auditLogin = async (ctx: Context, tenantId: string, username: string, result: 'success' | 'failure' | 'denied', reason?: string) => {
    // Only for tenants that exist: unknown tenant ids must not create audit chains.
    if (!(await tenants.get(tenantId))) {
      deps.logger.warn({ tenantId, result, clientAddress: ctx.ip }, 'login attempt for an unknown tenant');
      return;
    }
    await deps.audit.record({
      tenantId,
      actor: { kind: 'user', id: username },
      operation: 'auth.login',
      result,
      ...(reason ? { reason } : {}),
      clientAddress: ctx.ip,
    });
  };

  const refuseIfLimited = async (ctx: Context, tenantId: string, username: string, userKey: string) => {
    const retryAfter = Math.max(perAddress.retryAfter(ctx.ip), perUser.retryAfter(userKey));
    if (retryAfter === 0) return;
    await auditLogin(ctx, tenantId, username, 'denied', 'rate limited');
    throw errors.rateLimited(retryAfter);
  };

  return [
    route({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'login',
      summary: 'Log in as a tenant administrator or auditor; returns a bearer token',
      tag: 'session',
      access: 'public',
      body: loginBody,
      response: loginResponse,
      errorStatuses: [401, 429],
      async handler(ctx, { body }) {
        const userKey = `${body.tenantId}/${body.username}`;
        await refuseIfLimited(ctx, body.tenantId, body.username, userKey);
        const user = await users.authenticate(body.tenantId, body.username, body.password);
        const tenant = user ? await tenants.get(body.tenantId) : null;
        if (!user || !tenant || tenant.status === 'offboarded') {
          perAddress.fail(ctx.ip);
          perUser.fail(userKey);
          await auditLogin(ctx, body.tenantId, body.username, 'failure', 'invalid credentials');
          throw errors.unauthenticated('invalid tenant, username or password');
        }
        perUser.reset(userKey);
        const issued = await tokens.issue({ username: user.username, tenantId: user.tenantId, role: user.role });
        await auditLogin(ctx, user.tenantId, user.username, 'success');
        ctx.set('cache-control', 'no-store');
        return {
          token: issued.token,
          expiresAt: issued.expiresAt.toISOString(),
          user: { username: user.username, role: user.role, tenantId: user.tenantId },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      operationId: 'getMe',
      summary: 'Who the token belongs to',
      tag: 'session',
      access: 'user',
      response: userView,
      async handler(_ctx, { principal }) {
        return { username: principal.username, role: principal.role, tenantId: principal.tenantId };
      },
    }),
    route({
      method: 'post',
      path: '/api/me/password',
      operationId: 'changePassword',
      summary: 'Change your own password (users of the built-in issuer)',
      tag: 'session',
      access: 'user',
      body: passwordBody,
      status: 204,
      errorStatuses: [409, 429],
      async handler(ctx, { body, principal }) {
        const p: Principal = principal;
        if (p.issuer !== 'builtin') throw errors.conflict('your password is managed by your identity provider');
        const userKey = `${p.tenantId}/${p.username}`;
        const retryAfter = perUser.retryAfter(userKey);
        if (retryAfter > 0) throw errors.rateLimited(retryAfter);
        const user = await users.authenticate(p.tenantId, p.username, body.currentPassword);
        if (!user) {
          perUser.fail(userKey);
          await auditUser(deps.audit, ctx, p, { operation: 'auth.password.change', result: 'failure', reason: 'wrong current password' });
          throw errors.invalid({ currentPassword: 'is not your current password' });
        }
        await users.setPassword(p.tenantId, p.username, body.newPassword);
        await auditUser(deps.audit, ctx, p, { operation: 'auth.password.change', result: 'success' });
        return undefined;
      },
    }),
  ];
}
