import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StackInfo } from '../../../devstack/stack-info.js';
import { signWebhook } from '../../../lib/webhooks/signature.js';
import { stack } from '../../support/stack.js';

/**
 * Why the journeys cannot run against a real stack, or undefined when they can: the stack
 * must be described by stack.json and its API must answer the contract (an error in the
 * `{error: {code}}` shape for a bad login), not a placeholder.
 */
export async function realStackProblem(): Promise<string | undefined> {
  let info: StackInfo;
  try {
    info = stack();
  } catch (error) {
    const file = process.env.OPENKCM_STACK_FILE ?? '.data-test/stack.json';
    return `no dev stack: cannot read ${file} (${(error as Error).message.split('\n')[0]}). Start one with \`npm start\` and set OPENKCM_STACK_FILE=.data/stack.json, or run the integration project, whose global setup starts one.`;
  }
  try {
    const res = await fetch(`${info.api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenantId: 'probe', username: 'probe', password: 'probe' }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json().catch(() => undefined)) as { error?: { code?: unknown } } | undefined;
    if (res.status === 404 || typeof body?.error?.code !== 'string') {
      return `the API at ${info.api.url} does not implement POST /api/auth/login yet (HTTP ${res.status}); these journeys need the real API of docs/api.md.`;
    }
  } catch (error) {
    return `the API at ${info.api.url} is not answering: ${(error as Error).message}`;
  }
  return undefined;
}

/** Platform Mesh's side: webhooks and platform routes signed with the shared secret. */
export class PlatformMesh {
  private constructor(
    private readonly apiUrl: string,
    private readonly secret: Buffer,
  ) {}

  /**
   * docs/api.md: the HMAC key is the 32 bytes base64-encoded on the first line of the webhook
   * secret file. Older stack.json files lack `secrets`: the file then sits at its default place.
   */
  static async fromStack(info: StackInfo): Promise<PlatformMesh> {
    const withSecrets = info as StackInfo & { secrets?: { webhookSecretFile: string } };
    const file = withSecrets.secrets?.webhookSecretFile ?? path.join(info.dataDir, 'secrets', 'webhook.secret');
    const firstLine = (await readFile(file, 'utf8')).split('\n')[0]?.trim() ?? '';
    return new PlatformMesh(info.api.url, Buffer.from(firstLine, 'base64'));
  }

  private async signed(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const raw = body === undefined ? '' : JSON.stringify(body);
    return fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-OpenKCM-Signature': signWebhook(this.secret, raw) },
      ...(method === 'POST' && raw ? { body: raw } : {}),
    });
  }

  async tenantCreated(tenantId: string, displayName: string): Promise<{ workflowId: string }> {
    const res = await this.signed('POST', '/webhooks/platform-mesh', {
      id: `evt-${tenantId}-${Date.now()}`,
      type: 'tenant.created',
      createdAt: new Date().toISOString(),
      data: { tenantId, displayName },
    });
    if (res.status !== 202) throw new Error(`tenant.created webhook answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { workflowId: string };
  }

  /** The initial administrator credentials, once provisioning has created them. */
  async initialCredentials(tenantId: string, timeoutMs = 60_000): Promise<{ username: string; password: string }> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const res = await this.signed('POST', `/platform/tenants/${encodeURIComponent(tenantId)}/credentials`);
      if (res.ok) return (await res.json()) as { username: string; password: string };
      last = `${res.status} ${await res.text()}`;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`no initial credentials for ${tenantId} within ${timeoutMs} ms (last answer: ${last})`);
  }
}
