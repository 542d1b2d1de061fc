import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmulatorUnavailable, cacheDir, firstExisting, freePort, launch, waitUntil } from './process.js';
import { selfSignedLoopbackCert } from './self-signed.js';
import type { SelfSigned } from './self-signed.js';

/**
 * Lowkey Vault (an Azure Key Vault API emulator, a Spring Boot jar). Its application jar is not on
 * Maven Central (only its client and Testcontainers modules are), so it is looked up as:
 *   $OPENKCM_LOWKEY_VAULT_JAR, or ~/.cache/openkcm/lowkey-vault/lowkey-vault-app-*.jar
 * The project publishes the app jar only to GitHub Packages, which this machine's registries do not
 * reach; point OPENKCM_LOWKEY_VAULT_JAR at a jar obtained there. Recent versions need Java 25.
 * Without it the Azure tests skip and say why.
 */
export interface LowkeyVault {
  /** Vault base URL (https, self-signed certificate below). */
  url: string;
  cert: SelfSigned;
  stop(): Promise<void>;
}

export function lowkeyVaultJar(): string {
  const fromEnv = process.env.OPENKCM_LOWKEY_VAULT_JAR;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const dir = cacheDir('lowkey-vault');
  const jars = existsSync(dir) ? readdirSync(dir).filter((f) => /^lowkey-vault-app-.*\.jar$/.test(f)).sort() : [];
  const newest = jars.at(-1);
  if (!newest) {
    throw new EmulatorUnavailable(`Lowkey Vault jar not found (set OPENKCM_LOWKEY_VAULT_JAR or put lowkey-vault-app-<version>.jar in ${dir}; ${buildInstructions()})`);
  }
  return path.join(dir, newest);
}

export function javaForLowkeyVault(): string {
  const found = firstExisting([
    process.env.OPENKCM_LOWKEY_VAULT_JAVA,
    '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java',
    '/usr/lib/jvm/java-25-openjdk-amd64/bin/java',
    '/usr/lib/jvm/temurin-25-jdk-arm64/bin/java',
  ]);
  if (!found) throw new EmulatorUnavailable('Lowkey Vault needs Java 25 (set OPENKCM_LOWKEY_VAULT_JAVA)');
  return found;
}

export function buildInstructions(): string {
  return 'the app jar is published to GitHub Packages only (com.github.nagyesta.lowkey-vault:lowkey-vault-app), not to Maven Central';
}

/** Starts Lowkey Vault on random loopback ports with a fresh self-signed certificate. */
export async function startLowkeyVault(): Promise<LowkeyVault> {
  const jar = lowkeyVaultJar();
  const java = javaForLowkeyVault();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openkcm-lowkey-vault-'));
  const cert = selfSignedLoopbackCert(dir);
  const port = await freePort();
  const tokenPort = await freePort();
  const logFile = path.join(dir, 'lowkey-vault.log');
  const launched = launch(
    java,
    [
      '-Xmx384m',
      '-jar',
      jar,
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      `--app.token.port=${tokenPort}`,
      `--server.ssl.key-store=${cert.p12File}`,
      `--server.ssl.key-store-password=${cert.p12Password}`,
      '--server.ssl.key-store-type=PKCS12',
      '--LOWKEY_VAULT_NAMES=openkcm',
    ],
    { logFile, cwd: dir },
  );
  const url = `https://127.0.0.1:${port}`;
  await waitUntil('Lowkey Vault', launched, () => ping(url, cert.certPem), 90_000, logFile);
  return {
    url,
    cert,
    async stop() {
      await launched.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ping(url: string, ca: string): Promise<boolean> {
  const https = await import('node:https');
  return new Promise((resolve) => {
    const req = https.request(`${url}/ping`, { ca, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

