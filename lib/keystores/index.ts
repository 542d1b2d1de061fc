/** Public surface of the L1 keystore connectors. */
export * from './types.js';
export { createConnector } from './factory.js';
export type { ConnectorOptions } from './factory.js';
export { keystoreSettingsSchema, keystoreSecretsSchemas } from './config.js';
export type { KeystoreSettings, KeystoreSettingsInput, KeystoreSecrets } from './config.js';
export { runDiagnostics } from './diagnostics.js';
export type { DiagnosticChecks } from './diagnostics.js';
export { ALLOWED_KMS_COMMANDS } from './aws-kms/connector.js';
