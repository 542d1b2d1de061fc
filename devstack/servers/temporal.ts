import { Connection } from '@temporalio/client';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StackConfig } from '../config.js';
import { httpOk } from '../probes.js';
import type { ServerSpec } from '../supervisor.js';

export function temporalAddress(config: StackConfig): string {
  return `127.0.0.1:${config.ports.temporal}`;
}

export function temporalUiUrl(config: StackConfig): string {
  return `http://127.0.0.1:${config.ports.temporalUi}`;
}

/** Ready when the namespace answers over gRPC and the UI serves its page. */
async function namespaceReady(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/**
 * Temporal's dev server (server, UI and SQLite persistence in one binary). The SQLite file
 * in the data directory is what lets workflows survive a restart.
 */
export async function temporalServer(config: StackConfig, temporal: string, extraFlags: readonly string[] = []): Promise<ServerSpec> {
  const dir = path.join(config.dataDir, 'temporal');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const args = [
    'server', 'start-dev',
    '--db-filename', path.join(dir, 'temporal.db'),
    '--ip', '127.0.0.1',
    '--port', String(config.ports.temporal),
    '--ui-port', String(config.ports.temporalUi),
    '--search-attribute', 'TenantId=Keyword',
    ...extraFlags,
    '--log-level', config.logLevel === 'debug' ? 'info' : 'warn',
  ];
  if (config.namespace !== 'default') args.push('--namespace', config.namespace);
  return {
    name: 'temporal',
    title: 'Temporal dev server',
    command: temporal,
    args,
    readyTimeoutMs: 60_000,
    ready: async () => (await namespaceReady(temporalAddress(config), config.namespace)) && (await httpOk(temporalUiUrl(config))),
  };
}
