import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildKmipServer } from '../kmip-server/build.js';
import type { Ports, StackConfig } from './config.js';
import type { Tools } from './install/index.js';
import { assertPortsFree } from './ports.js';
import { ensureStackSecrets } from './secrets.js';
import { ferretDbServer, mongodbUri } from './servers/ferretdb.js';
import { demoKeyAlias, localKmsAccountId, localKmsEndpoint, localKmsRegion, localKmsServer } from './servers/local-kms.js';
import { apiServer, apiUrl, kmipAdminUrl, kmipServer, openkcmEnv, workerServer } from './servers/openkcm.js';
import { lowkeyVaultServer } from './servers/lowkey-vault.js';
import { pykmipServer } from './servers/pykmip.js';
import { temporalAddress, temporalServer, temporalUiUrl } from './servers/temporal.js';
import { ensureSoftHsmToken } from './softhsm.js';
import type { StackInfo } from './stack-info.js';
import { Supervisor } from './supervisor.js';

export interface RunningStack {
  info: StackInfo;
  stackFile: string;
  supervisor: Supervisor;
  stop(): Promise<void>;
}

/**
 * Starts the whole stack: infrastructure side by side (Temporal, FerretDB, local-kms, PyKMIP
 * and Lowkey Vault once its slot is filled), then OpenKCM's processes, then writes
 * `<dataDir>/stack.json`.
 * Any failure stops everything already started before the error propagates.
 */
export async function startStack(config: StackConfig, tools: Tools, supervisor = new Supervisor(config.dataDir)): Promise<RunningStack> {
  await supervisor.reclaim();
  if (config.fresh) await rm(config.dataDir, { recursive: true, force: true });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });

  const [lowkey, pykmip] = [await lowkeyVaultServer(config, tools), await pykmipServer(config, tools)];
  const basePorts: (keyof Ports)[] = ['temporal', 'temporalUi', 'mongodb', 'localKms', 'api', 'kmip', 'kmipAdmin'];
  await assertPortsFree(config.ports, [...basePorts, ...pykmip.ports, ...(lowkey?.ports ?? [])]);

  const secrets = await ensureStackSecrets(config.dataDir);
  const softhsm = await ensureSoftHsmToken(config.dataDir, tools.softhsmModule, tools.softhsmUtil);
  const localKms = await localKmsServer(config, tools.localKms);
  const env = openkcmEnv(config, secrets, softhsm.conf);

  try {
    await supervisor.startStage([
      await temporalServer(config, tools.temporal, tools.temporalDevFlags),
      ferretDbServer(config, tools.ferretdb),
      localKms,
      pykmip.spec,
      ...(lowkey ? [lowkey.spec] : []),
    ]);
    await supervisor.startStage([apiServer(config, env), workerServer(config, env), kmipServer(config, env, await buildKmipServer())]);
  } catch (err) {
    await supervisor.stopAll();
    throw err;
  }

  const api = apiUrl(config);
  const info: StackInfo = {
    dataDir: config.dataDir,
    logsDir: path.join(config.dataDir, 'logs'),
    startedAt: new Date().toISOString(),
    temporal: { address: temporalAddress(config), namespace: config.namespace, uiUrl: temporalUiUrl(config), taskQueue: config.taskQueue },
    mongodb: { uri: mongodbUri(config), database: config.database },
    localKms: { endpoint: localKmsEndpoint(config), region: localKmsRegion, accountId: localKmsAccountId, demoKeyArn: localKms.demoKeyArn(), demoKeyAlias },
    ...(lowkey ? { lowkeyVault: lowkey.info() } : {}),
    softhsm,
    pykmip: pykmip.info(),
    kmip: { host: '127.0.0.1', port: config.ports.kmip, adminUrl: kmipAdminUrl(config), caCert: path.join(config.dataDir, 'pki', 'ca.pem') },
    api: { url: api },
    console: { url: `${api}/` },
    secrets: { platformKeyFile: secrets.platformKeyFile, webhookSecretFile: secrets.webhookSecretFile },
    tools: { temporal: tools.temporal, temporalTestServer: tools.temporalTestServer, chromium: tools.chromium, python: tools.python },
  };
  const stackFile = path.join(config.dataDir, 'stack.json');
  await writeFile(stackFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

  return {
    info,
    stackFile,
    supervisor,
    stop: async () => {
      await supervisor.stopAll();
      await rm(stackFile, { force: true });
    },
  };
}
