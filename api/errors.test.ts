import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditBlockCorruptError } from '../lib/audit/blocks.js';
import { KeystoreError } from '../lib/keystores/types.js';
import { ApiError, fieldsFromZod, toApiError } from './errors.js';

function activityFailed(cause: Error): WorkflowFailedError {
  const activity = new ActivityFailure('activity failed', 'prepareTenantKey', '1', RetryState.NON_RETRYABLE_FAILURE, 'w', cause);
  return new WorkflowFailedError('workflow failed', activity, RetryState.NON_RETRYABLE_FAILURE);
}

describe('toApiError', () => {
  it('names every bad field of a zod error, without values', () => {
    const result = z.object({ a: z.string(), b: z.object({ c: z.number() }) }).safeParse({ a: 1, b: { c: 'secret-value' } });
    const mapped = toApiError(result.error);
    expect(mapped).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(Object.keys(mapped!.details!.fields as object)).toEqual(['a', 'b.c']);
    expect(JSON.stringify(mapped)).not.toContain('secret-value');
    expect(fieldsFromZod(result.error!, ['settings'])).toHaveProperty('settings.b.c');
  });

  it('maps keystore errors: configuration → 400, the rest → 502 with the keystore code and step', () => {
    expect(toApiError(new KeystoreError('invalid-config', 'bad'))).toMatchObject({ status: 400 });
    expect(toApiError(new KeystoreError('access-denied', 'AccessDenied on kms:Decrypt', 'authenticated'))).toMatchObject({
      status: 502,
      code: 'keystore_error',
      details: { keystoreCode: 'access-denied', step: 'authenticated' },
    });
  });

  it('maps workflow outcomes', () => {
    expect(toApiError(new WorkflowExecutionAlreadyStartedError('running', 'l1-activate/acme', 'activateL1'))).toMatchObject({ status: 409 });
    const keystore = ApplicationFailure.create({ type: 'KeystoreError', message: 'key is disabled', nonRetryable: true, details: [{ code: 'disabled', step: 'enabled' }] });
    expect(toApiError(activityFailed(keystore))).toMatchObject({
      status: 502,
      code: 'keystore_error',
      message: 'key is disabled',
      details: { keystoreCode: 'disabled', step: 'enabled' },
    });
    const state = ApplicationFailure.create({ type: 'InvalidState', message: 'tenant acme has no active L1 key', nonRetryable: true });
    expect(toApiError(activityFailed(state))).toMatchObject({ status: 409, message: 'tenant acme has no active L1 key' });
    expect(toApiError(new WorkflowFailedError('x', new Error('boom'), RetryState.TIMEOUT))).toMatchObject({ status: 502, code: 'workflow_failed' });
  });

  it('maps named PKI and audit errors and exposed HTTP errors; leaves unknown errors to the 500 path', () => {
    const csr = Object.assign(new Error('CSR signature does not verify'), { name: 'CsrError' });
    expect(toApiError(csr)).toMatchObject({ status: 400, details: { fields: { csrPem: 'CSR signature does not verify' } } });
    expect(toApiError(Object.assign(new Error('buffer full'), { name: 'AuditUnavailableError' }))).toMatchObject({ status: 503 });
    expect(toApiError(new AuditBlockCorruptError('audit block c:1: records do not decompress'))).toMatchObject({ status: 500, message: expect.stringContaining('run audit verification') });
    expect(toApiError(Object.assign(new Error('Payload Too Large'), { status: 413, expose: true }))).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(toApiError(new Error('password=hunter2 in a driver message'))).toBeUndefined();
    expect(toApiError(new ApiError(404, 'not_found', 'x'))).toBeInstanceOf(ApiError);
  });
});
