import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { mapAwsError } from './errors.js';
import { KeystoreError } from '../types.js';
import type { AwsKmsSecrets, AwsKmsSettings } from './config.js';

/** Refresh assumed-role credentials this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface ClientTuning {
  region: string;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
}

function staticIdentity(accessKeyId: string, secrets: AwsKmsSecrets): AwsCredentialIdentity {
  if (!secrets.secretAccessKey) {
    throw new KeystoreError('invalid-config', 'static AWS credentials need secrets.secretAccessKey', 'authenticated');
  }
  return { accessKeyId, secretAccessKey: secrets.secretAccessKey, ...(secrets.sessionToken ? { sessionToken: secrets.sessionToken } : {}) };
}

/**
 * Credentials for the KMS client: the customer's static key, or a role in the customer's account
 * assumed with their ExternalId (the usual cross-account BYOK setup). STS failures surface as
 * `authenticated` failures.
 */
export function credentialsFor(settings: AwsKmsSettings, secrets: AwsKmsSecrets, tuning: ClientTuning): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  const creds = settings.credentials;
  if (creds.type === 'static') return staticIdentity(creds.accessKeyId, secrets);

  const stsEndpoint = creds.stsEndpoint ?? `https://sts.${tuning.region}.amazonaws.com`;
  const sts = new STSClient({
    ...tuning,
    ...(creds.stsEndpoint ? { endpoint: creds.stsEndpoint } : {}),
    ...(creds.source.type === 'static' ? { credentials: staticIdentity(creds.source.accessKeyId, secrets) } : {}),
  });
  let cached: AwsCredentialIdentity | undefined;
  let inflight: Promise<AwsCredentialIdentity> | undefined;

  const assume = async (): Promise<AwsCredentialIdentity> => {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: creds.roleArn,
          RoleSessionName: creds.sessionName,
          ExternalId: creds.externalId,
          DurationSeconds: creds.durationSeconds,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new KeystoreError('access-denied', 'STS AssumeRole returned no credentials', 'authenticated');
      }
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (error) {
      const mapped = mapAwsError(error, new URL(stsEndpoint).host, 'authenticated');
      // Every STS failure is an authentication failure from the user's point of view, whatever its cause.
      throw new KeystoreError(mapped.code, `assuming role ${creds.roleArn} failed: ${mapped.message}`, 'authenticated', { cause: error });
    }
  };

  return async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS)) return cached;
    inflight ??= assume().finally(() => {
      inflight = undefined;
    });
    cached = await inflight;
    return cached;
  };
}
