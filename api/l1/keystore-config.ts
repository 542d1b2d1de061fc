import type { z } from 'zod';
import { keystoreSecretsSchemas, keystoreSettingsSchema } from '../../lib/keystores/config.js';
import { errors } from '../errors.js';
import { secretNames, toKeystore, type KeystoreForm } from './keystore-forms.js';

/**
 * Checks a configuration (in the API's shape) against the keystore's own schemas and returns
 * what is stored: the parsed keystore settings (defaults applied, `kind` included, so
 * `createConnector(settings, secrets)` takes them as they are), the parsed secrets, and the
 * names of the secrets that were set. Problems name the API's fields, never their values.
 */
export interface KeystoreIssue {
  path: PropertyKey[];
  message: string;
}

interface Checked {
  issues: KeystoreIssue[];
  parsed?: { settings: Record<string, unknown>; secrets: Record<string, unknown>; secretNames: string[] };
}

function rename(paths: Record<string, string>, path: PropertyKey[]): PropertyKey[] {
  // The longest keystore path that prefixes this one decides.
  const dotted = path.map(String);
  for (let n = dotted.length; n > 0; n--) {
    const mapped = paths[dotted.slice(0, n).join('.')];
    if (mapped) return [...mapped.split('.'), ...dotted.slice(n)];
  }
  return path;
}

function check(form: KeystoreForm): Checked {
  const documents = toKeystore(form);
  const secretsSchema = (keystoreSecretsSchemas as Record<string, z.ZodType | undefined>)[form.kind];
  if (!secretsSchema) return { issues: [{ path: ['kind'], message: `keystore kind ${form.kind} is not supported` }] };
  const settings = keystoreSettingsSchema.safeParse(documents.settings);
  const secrets = secretsSchema.safeParse(documents.secrets);
  const issues: KeystoreIssue[] = [
    ...documents.issues,
    ...(settings.error?.issues ?? []).map((i) => ({ path: rename(documents.paths, ['settings', ...i.path]), message: i.message })),
    ...(secrets.error?.issues ?? []).map((i) => ({ path: rename(documents.paths, ['secrets', ...i.path]), message: i.message })),
  ];
  if (issues.length > 0 || !settings.success || !secrets.success) return { issues };
  return {
    issues,
    parsed: {
      settings: settings.data as Record<string, unknown>,
      secrets: Object.fromEntries(Object.entries(secrets.data as Record<string, unknown>).filter(([, v]) => v !== undefined)),
      secretNames: secretNames(form),
    },
  };
}

export function keystoreIssues(form: KeystoreForm): KeystoreIssue[] {
  return check(form).issues;
}

export function validateKeystoreConfig(form: KeystoreForm): NonNullable<Checked['parsed']> {
  const { issues, parsed } = check(form);
  if (parsed) return parsed;
  const fields: Record<string, string> = {};
  for (const issue of issues) fields[issue.path.map(String).join('.')] ??= issue.message;
  throw errors.invalid(fields, 'the keystore configuration is invalid');
}
