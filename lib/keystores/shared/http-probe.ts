import http from 'node:http';
import https from 'node:https';
import { classifyNetworkError } from './network.js';
import { KeystoreError } from '../types.js';

/**
 * The `reachable` step: one unauthenticated GET to the endpoint. Any HTTP answer (even 401/404)
 * proves DNS, TCP and TLS work, so a later failure is about credentials or the key, not the network.
 */
export async function probeHttp(url: string, options: { timeoutMs: number; ca?: string }): Promise<number> {
  const target = new URL(url);
  const client = target.protocol === 'http:' ? http : https;
  return new Promise<number>((resolve, reject) => {
    const request = client.request(
      target,
      { method: 'GET', timeout: options.timeoutMs, ...(options.ca && target.protocol === 'https:' ? { ca: options.ca } : {}) },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => {
      reject(
        classifyNetworkError(error, target.host) ??
          new KeystoreError('unreachable', `cannot reach ${target.host}: ${(error as NodeJS.ErrnoException).code ?? error.name}`, 'reachable', { cause: error }),
      );
    });
    request.end();
  });
}
