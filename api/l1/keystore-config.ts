import type { z } from 'zod';
import { keystoreSecretsSchemas, keystoreSettingsSchema } from '../../lib/keystores/config.js';
import { errors } from '../errors.js';

/**
 * Checks a keystore configuration against the keystore's own schemas (lib/keystores) and
 * returns what is stored: the parsed settings (defaults applied, `kind` included, so
 * `createConnector(settings, secrets)` takes them as they are) and the parsed secrets.
 * Problems name `settings.<path>` / `secrets.<path>`, never the values.
 */
export interface KeystoreIssue {
  path: PropertyKey[];
  message: string;
}

type Parsed = { settings: Record<string, unknown>; secrets: Record<string, unknown> };

function check(kind: string, settingsInput: unknown, secretsInput: unknown): { issues: KeystoreIssue[]; parsed?: Parsed } {
  const secretsSchema = (keystoreSecretsSchemas as Record<string, z.ZodType | undefined>)[kind];
  if (!secretsSchema) return { issues: [{ path: ['kind'], message: `keystore kind ${kind} is not supported yet` }] };
  const settings = keystoreSettingsSchema.safeParse({ ...(settingsInput as object), kind });
  const secrets = secretsSchema.safeParse(secretsInput ?? {});
  const issues: KeystoreIssue[] = [
    ...(settings.error?.issues ?? []).map((i) => ({ path: ['settings', ...i.path], message: i.message })),
    ...(secrets.error?.issues ?? []).map((i) => ({ path: ['secrets', ...i.path], message: i.message })),
  ];
  if (!settings.success || !secrets.success) return { issues };
  return {
    issues,
    parsed: {
      settings: settings.data as Record<string, unknown>,
      secrets: Object.fromEntries(Object.entries(secrets.data as Record<string, unknown>).filter(([, v]) => v !== undefined)),
    },
  };
}

export function keystoreIssues(kind: string, settingsInput: unknown, secretsInput: unknown): KeystoreIssue[] {
  return check(kind, settingsInput, secretsInput).issues;
}

export function validateKeystoreConfig(kind: string, settingsInput: unknown, secretsInput: unknown): Parsed {
  const { issues, parsed } = check(kind, settingsInput, secretsInput);
  if (parsed) return parsed;
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[issue.path.map(String).join('.')] ??= issue.message;
  throw errors.invalid(fields, 'the keystore configuration is invalid');
}
