/**
 * Service identity names. A service certificate carries the identity three times — URI SAN,
 * Subject O (tenant) and CN (service) — and every reader insists they agree.
 */
export const IDENTIFIER_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const SPIFFE_TRUST_DOMAIN = 'openkcm';
const SPIFFE_PATTERN = /^spiffe:\/\/openkcm\/tenant\/([a-z0-9][a-z0-9-]{0,62})\/service\/([a-z0-9][a-z0-9-]{0,62})$/;

export function isValidIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER_PATTERN.test(value);
}

export class InvalidIdentityError extends Error {
  override readonly name = 'InvalidIdentityError';
}

export function assertIdentifier(value: unknown, what: 'tenant' | 'service'): asserts value is string {
  if (!isValidIdentifier(value)) {
    throw new InvalidIdentityError(`${what} id must match ${IDENTIFIER_PATTERN.source}`);
  }
}

export function serviceSpiffeId(tenantId: string, serviceId: string): string {
  assertIdentifier(tenantId, 'tenant');
  assertIdentifier(serviceId, 'service');
  return `spiffe://${SPIFFE_TRUST_DOMAIN}/tenant/${tenantId}/service/${serviceId}`;
}

export function parseServiceSpiffeId(uri: string): { tenantId: string; serviceId: string } | undefined {
  const m = SPIFFE_PATTERN.exec(uri);
  return m ? { tenantId: m[1]!, serviceId: m[2]! } : undefined;
}

/** Upper-case hex without separators or leading zeros: the form Node and OpenSSL print. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{1,40}$/.test(hex)) throw new InvalidIdentityError('serial must be hexadecimal (at most 20 bytes)');
  return hex.replace(/^0+(?=.)/, '');
}
