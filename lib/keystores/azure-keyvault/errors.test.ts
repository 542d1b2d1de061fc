import { describe, expect, it } from 'vitest';
import { mapAzureError } from './errors.js';
import { parseKeyUrl } from './config.js';

const rest = (statusCode: number, code: string, message = '') => Object.assign(new Error(message), { name: 'RestError', statusCode, code });

describe('Azure error mapping', () => {
  it('maps Key Vault statuses to the taxonomy at the right step', () => {
    expect(mapAzureError(rest(401, 'Unauthorized'), 'v', 'key-exists')).toMatchObject({ code: 'access-denied', step: 'authenticated' });
    expect(mapAzureError(rest(403, 'Forbidden', 'Operation get is not allowed on a disabled key.'), 'v', 'key-exists')).toMatchObject({ code: 'disabled', step: 'enabled' });
    expect(mapAzureError(rest(403, 'Forbidden', 'no permission'), 'v', 'round-trip')).toMatchObject({ code: 'access-denied', step: 'round-trip' });
    expect(mapAzureError(rest(404, 'KeyNotFound'), 'v', 'key-exists')).toMatchObject({ code: 'not-found', step: 'key-exists', retryable: false });
    expect(mapAzureError(rest(429, 'Throttled'), 'v', 'round-trip')).toMatchObject({ code: 'throttled', retryable: true });
    expect(mapAzureError(rest(503, 'ServiceUnavailable'), 'v', 'round-trip')).toMatchObject({ code: 'internal', retryable: true });
    expect(mapAzureError(rest(400, 'BadParameter'), 'v', 'round-trip')).toMatchObject({ code: 'crypto-failure', retryable: false });
  });

  it('names the AADSTS reason for Entra ID refusals without echoing the request', () => {
    const e = Object.assign(new Error('invalid_client: AADSTS7000215: Invalid client secret provided.'), { name: 'AuthenticationRequiredError' });
    expect(mapAzureError(e, 'v', 'authenticated')).toMatchObject({ code: 'access-denied', step: 'authenticated', message: expect.stringMatching(/client secret is wrong/) });
  });
});

describe('key URL parsing', () => {
  it('accepts vault and Managed HSM URLs with or without version', () => {
    expect(parseKeyUrl('https://myvault.vault.azure.net/keys/l1')).toMatchObject({ name: 'l1', managedHsm: false, azureHost: true });
    expect(parseKeyUrl('https://hsm.managedhsm.azure.net/keys/l1/0123abcd')).toMatchObject({ version: '0123abcd', managedHsm: true });
    expect(parseKeyUrl('https://127.0.0.1:8443/keys/l1')).toMatchObject({ azureHost: false });
    expect(parseKeyUrl('https://myvault.vault.azure.net/secrets/l1')).toBeUndefined();
    expect(parseKeyUrl('http://myvault.vault.azure.net/keys/l1')).toBeUndefined();
  });
});
