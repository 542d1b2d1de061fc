/**
 * What a running dev stack looks like from the outside. The supervisor writes it to
 * `<dataDir>/stack.json` once every server is healthy; tests, benchmarks and the CLI read it.
 * Every endpoint is on loopback.
 */
export interface StackInfo {
  dataDir: string;
  temporal: { address: string; namespace: string; uiUrl: string; taskQueue: string };
  mongodb: { uri: string; database: string };
  localKms: { endpoint: string; region: string; accountId: string; demoKeyArn: string };
  lowkeyVault: { url: string; vaultName: string };
  softhsm: { module: string; conf: string; tokenLabel: string; pin: string; soPin: string };
  /** PyKMIP's server: stands in for a customer's KMIP-speaking HSM and is the benchmark peer. */
  pykmip: { host: string; port: number; caCert: string; clientCert: string; clientKey: string };
  /** OpenKCM's own processes. */
  kmip: { host: string; port: number; adminUrl: string; caCert: string };
  api: { url: string };
  console: { url: string };
  tools: { temporal: string; temporalTestServer: string; chromium: string; python: string };
}
