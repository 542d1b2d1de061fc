import type { StackInfo } from './stack-info.js';

/**
 * How a user creates a first tenant; the CLI (`cli/`, `bin/openkcm.mjs`) sends the signed
 * Platform Mesh "tenant created" event that starts provisioning.
 */
export const firstTenantCommand = 'npx openkcm tenant create acme';

/** What `npm start` prints once everything is ready. */
export function banner(info: StackInfo, elapsedMs: number): string {
  const rows: [string, string][] = [
    ['Console', info.console.url],
    ['API', `${info.api.url}/api`],
    ['Temporal UI', info.temporal.uiUrl],
    ['KMIP (mTLS)', `${info.kmip.host}:${info.kmip.port}`],
    ['Temporal gRPC', info.temporal.address],
    ['MongoDB (FerretDB)', info.mongodb.uri],
    ['AWS KMS (local-kms)', `${info.localKms.endpoint}  demo key ${info.localKms.demoKeyAlias}`],
    ['PKCS#11 (SoftHSM2)', `token "${info.softhsm.tokenLabel}", SOFTHSM2_CONF=${info.softhsm.conf}`],
  ];
  rows.push(['KMIP HSM (PyKMIP)', `${info.pykmip.host}:${info.pykmip.port}`]);
  if (info.lowkeyVault) rows.push(['Azure Key Vault (Lowkey)', info.lowkeyVault.url]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    '',
    `OpenKCM is up (ready in ${(elapsedMs / 1000).toFixed(1)} s)`,
    '',
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Create a first tenant (sends the signed Platform Mesh "tenant created" event):',
    `  ${firstTenantCommand}`,
    `  then open ${info.console.url} and link an L1 key, e.g. ${info.localKms.demoKeyArn}`,
    '',
    `Data: ${info.dataDir}  (kept across restarts; logs in ${info.logsDir}, endpoints in ${info.dataDir}/stack.json)`,
    'Press Ctrl-C to stop everything.',
    '',
  ];
  return lines.join('\n');
}
