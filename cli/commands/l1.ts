import { readFile } from 'node:fs/promises';
import type { CliContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { call } from '../http.js';
import { seconds, stepPrinter, type Output } from '../output.js';

/**
 * Master key configuration from the terminal: the same API calls the console makes. Settings
 * and secrets are assembled per keystore kind (the API validates them with the keystore's
 * schema); secrets may come from environment variables so they stay out of shell history.
 */
export type Flags = Record<string, string | boolean | undefined>;

interface TestResult {
  ok: boolean;
  failedStep?: string;
  steps: Array<{ step: string; status: string; message: string; durationMs: number }>;
}

interface L1Config {
  id: string;
  kind: string;
  label: string;
  state: string;
  createdAt: string;
  secretsConfigured: string[];
  lastTest?: TestResult & { at: string };
}

const str = (flags: Flags, name: string): string | undefined => {
  const value = flags[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const int = (flags: Flags, name: string): number | undefined => {
  const value = str(flags, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw usageError(`--${name} must be an integer`);
  return n;
};

async function fileText(flags: Flags, name: string): Promise<string | undefined> {
  const file = str(flags, name);
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw usageError(`--${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** Settings and secrets for one kind, from flags (and environment for secrets). */
export async function keystoreConfigFromFlags(kind: string, flags: Flags, env: NodeJS.ProcessEnv = process.env) {
  let settings: Record<string, unknown>;
  let secrets: Record<string, unknown>;
  switch (kind) {
    case 'aws-kms':
      settings = compact({
        keyArn: str(flags, 'key-arn'),
        region: str(flags, 'region'),
        roleArn: str(flags, 'role-arn'),
        externalId: str(flags, 'external-id'),
        endpoint: str(flags, 'endpoint'),
      });
      secrets = compact({
        accessKeyId: str(flags, 'access-key-id') ?? env.AWS_ACCESS_KEY_ID,
        secretAccessKey: str(flags, 'secret-access-key') ?? env.AWS_SECRET_ACCESS_KEY,
        sessionToken: str(flags, 'session-token') ?? env.AWS_SESSION_TOKEN,
      });
      break;
    case 'azure-keyvault':
      settings = compact({
        keyUrl: str(flags, 'key-url'),
        tenantDirectoryId: str(flags, 'directory-tenant-id'),
        clientId: str(flags, 'client-id'),
        algorithm: str(flags, 'algorithm'),
        authorityHost: str(flags, 'authority-host'),
        caCertPem: await fileText(flags, 'ca-cert-file'),
      });
      secrets = compact({ clientSecret: str(flags, 'client-secret') ?? env.AZURE_CLIENT_SECRET });
      break;
    case 'pkcs11':
      settings = compact({
        modulePath: str(flags, 'module-path'),
        tokenLabel: str(flags, 'token-label'),
        slot: int(flags, 'slot'),
        keyLabel: str(flags, 'key-label'),
        keyId: str(flags, 'key-id'),
        mechanism: str(flags, 'mechanism'),
      });
      secrets = compact({ pin: str(flags, 'pin') ?? env.PKCS11_PIN });
      break;
    case 'kmip':
      settings = compact({
        host: str(flags, 'host'),
        port: int(flags, 'port'),
        keyId: str(flags, 'key-id'),
        caCertPem: await fileText(flags, 'ca-cert-file'),
        clientCertPem: await fileText(flags, 'client-cert-file'),
        serverName: str(flags, 'server-name'),
      });
      secrets = compact({
        clientKeyPem: await fileText(flags, 'client-key-file'),
        clientKeyPassphrase: str(flags, 'client-key-passphrase') ?? env.KMIP_CLIENT_KEY_PASSPHRASE,
      });
      break;
    default:
      throw usageError(`--kind must be aws-kms, azure-keyvault, pkcs11 or kmip (got ${kind})`);
  }
  const extraSettings = str(flags, 'settings-json');
  if (extraSettings) settings = { ...settings, ...parseJson(extraSettings, '--settings-json') };
  const secretsFile = await fileText(flags, 'secrets-file');
  if (secretsFile) secrets = { ...secrets, ...parseJson(secretsFile, '--secrets-file') };
  return { settings, secrets };
}

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw usageError(`${what} must be a JSON object`);
  }
}

export async function l1Configure(ctx: CliContext, output: Output, token: string, flags: Flags, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const kind = str(flags, 'kind');
  if (!kind) throw usageError('--kind is required (aws-kms, azure-keyvault, pkcs11, kmip)');
  const { settings, secrets } = await keystoreConfigFromFlags(kind, flags, env);
  const label = str(flags, 'label') ?? `${kind} key`;
  const created = await call<L1Config>(ctx.apiUrl, 'POST', '/api/l1/configs', { token, body: { kind, label, settings, secrets } });
  output.out(`Saved L1 configuration ${created.body.id} (${kind}, "${label}"); secrets set: ${created.body.secretsConfigured.join(', ') || 'none'}.`);
  output.out(`Next: openkcm l1 test --config ${created.body.id}, then openkcm l1 activate --config ${created.body.id}`);
  return created.body.id;
}

async function configId(ctx: CliContext, token: string, flags: Flags): Promise<string> {
  const given = str(flags, 'config');
  if (given) return given;
  const list = await call<{ items: L1Config[] }>(ctx.apiUrl, 'GET', '/api/l1/configs', { token });
  const newest = list.body.items[0];
  if (!newest) throw new CliError('no L1 configuration yet: run openkcm l1 configure first');
  return newest.id;
}

function printTest(output: Output, result: TestResult): void {
  for (const step of result.steps) {
    const mark = step.status === 'passed' ? '✓' : step.status === 'failed' ? '✗' : '·';
    output.out(`  ${mark} ${step.step.padEnd(14)} ${step.message} (${step.durationMs} ms)`);
  }
  output.out(result.ok ? 'Connection test passed.' : `Connection test failed at "${result.failedStep}".`);
}

export async function l1Test(ctx: CliContext, output: Output, token: string, flags: Flags): Promise<boolean> {
  const id = await configId(ctx, token, flags);
  output.progress(`testing L1 configuration ${id} …`);
  const result = await call<TestResult>(ctx.apiUrl, 'POST', `/api/l1/configs/${encodeURIComponent(id)}/test`, { token });
  printTest(output, result.body);
  return result.body.ok;
}

interface Activation {
  workflowId: string;
  step: string;
  status: 'running' | 'completed' | 'failed';
  result?: { ok: boolean; status: string; reason?: string; l2Version?: number; nodesInvalidated: number; durationMs: number };
}

export async function l1Activate(ctx: CliContext, output: Output, token: string, flags: Flags, timeoutMs: number): Promise<boolean> {
  const id = await configId(ctx, token, flags);
  const started = Date.now();
  const { body } = await call<{ workflowId: string }>(ctx.apiUrl, 'POST', `/api/l1/configs/${encodeURIComponent(id)}/activate`, { token });
  output.progress(`activating L1 configuration ${id} (workflow ${body.workflowId})`);
  const step = stepPrinter(output, started);
  for (;;) {
    const activation = (await call<Activation>(ctx.apiUrl, 'GET', '/api/l1/activation', { token })).body;
    step(activation.step);
    if (activation.status !== 'running') {
      const state = (await call<{ status: string; reason?: string; currentL2Version?: number }>(ctx.apiUrl, 'GET', '/api/l1', { token })).body;
      if (activation.status === 'completed') {
        output.out(
          `L1 key is ${state.status.toUpperCase()} in ${seconds(Date.now() - started)}: tenant key v${activation.result?.l2Version ?? state.currentL2Version}, ` +
            `${activation.result?.nodesInvalidated ?? 0} KMIP node(s) refreshed.`,
        );
        return true;
      }
      output.out(`L1 key is ${state.status.toUpperCase()}: ${activation.result?.reason ?? state.reason ?? activation.step}`);
      return false;
    }
    if (Date.now() - started > timeoutMs) throw new CliError(`activation still running after ${seconds(timeoutMs)} (at "${activation.step}")`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function confirmation(flags: Flags, tenantId: string, what: string): string {
  const confirm = str(flags, 'confirm');
  if (confirm !== tenantId) throw usageError(`${what} needs --confirm ${tenantId} (the tenant id, typed out)`);
  return confirm;
}

export async function l1Rotate(ctx: CliContext, output: Output, token: string, tenantId: string, flags: Flags): Promise<void> {
  const confirm = confirmation(flags, tenantId, 'rotation');
  const { body } = await call<{ l2Version: number }>(ctx.apiUrl, 'POST', '/api/l1/rotate', { token, body: { confirm } });
  output.out(`Tenant key rotated: new objects now use version ${body.l2Version}; earlier versions still decrypt.`);
}

export async function l1Revoke(ctx: CliContext, output: Output, token: string, tenantId: string, flags: Flags): Promise<void> {
  const confirm = confirmation(flags, tenantId, 'revocation');
  const reason = str(flags, 'reason');
  if (!reason) throw usageError('revocation needs --reason "<why>"');
  await call(ctx.apiUrl, 'POST', '/api/l1/revoke', { token, body: { confirm, reason } });
  output.out(`L1 key REVOKED for tenant ${tenantId}: every KMIP node now refuses its keys.`);
}

export async function l1Status(ctx: CliContext, output: Output, token: string): Promise<void> {
  const state = (await call<{ status: string; reason?: string; configId?: string; currentL2Version?: number }>(ctx.apiUrl, 'GET', '/api/l1', { token })).body;
  output.out(`L1 key: ${state.status}${state.reason ? ` — ${state.reason}` : ''}${state.configId ? ` (config ${state.configId})` : ''}${state.currentL2Version ? `, tenant key v${state.currentL2Version}` : ''}`);
}
