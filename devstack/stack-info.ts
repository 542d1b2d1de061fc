/**
 * What a running dev stack looks like from the outside. The supervisor writes it to
 * `<dataDir>/stack.json` (mode 0600: it holds the SoftHSM PINs) once every server is ready;
 * tests, benchmarks and the CLI read it. Every endpoint is on loopback.
 */
export interface StackInfo {
  dataDir: string;
  /** One log file per server: `<logsDir>/<name>.log`. */
  logsDir: string;
  /** ISO time the stack became ready. */
  startedAt: string;
  temporal: { address: string; namespace: string; uiUrl: string; taskQueue: string };
  mongodb: { uri: string; database: string };
  /** AWS KMS API; any access key works. The demo key is a symmetric ENCRYPT_DECRYPT key. */
  localKms: { endpoint: string; region: string; accountId: string; demoKeyArn: string; demoKeyAlias: string };
  /** Optional server (slot for the keystores work): absent while it is not part of the stack. */
  lowkeyVault?: { url: string; vaultName: string };
  /** `conf` is the SOFTHSM2_CONF to set; the token holds nothing until someone creates keys. */
  softhsm: { module: string; conf: string; tokenLabel: string; pin: string; soPin: string };
  /**
   * PyKMIP's server: stands in for a customer's KMIP-speaking HSM and is the benchmark peer.
   * Mutual TLS under its own CA (not OpenKCM's): `caCert` verifies the server, the client
   * certificate and key authenticate to it.
   */
  pykmip: { host: string; port: number; caCert: string; clientCert: string; clientKey: string };
  /**
   * OpenKCM's own processes. `kmip.caCert` is where the KMIP server publishes the platform CA
   * certificate (`<dataDir>/pki/ca.pem`); it exists once the real server has created the CA.
   */
  kmip: { host: string; port: number; adminUrl: string; caCert: string };
  api: { url: string };
  /** Served by the API process at `/` (same origin as `/api`). */
  console: { url: string };
  /** Files of 32 random bytes (base64) the services read: OPENKCM_PLATFORM_KEY_FILE, OPENKCM_WEBHOOK_SECRET_FILE. */
  secrets: { platformKeyFile: string; webhookSecretFile: string };
  tools: { temporal: string; temporalTestServer: string; chromium: string; python: string };
}
