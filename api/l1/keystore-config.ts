import { keystoreSecretsSchemas, keystoreSettingsSchema } from '../../lib/keystores/config.js';
import { errors, fieldsFromZod } from '../errors.js';

/**
 * Checks a keystore configuration against the keystore's own schemas (lib/keystores) and
 * returns what is stored: the parsed settings (defaults applied, `kind` included, so
 * `createConnector(settings, secrets)` takes them as they are) and the parsed secrets.
 * Field errors name `settings.<path>` / `secrets.<path>`, never the values.
 */
export function validateKeystoreConfig(
  kind: string,
  settingsInput: Record<string, unknown>,
  secretsInput: Record<string, unknown>,
): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  const secretsSchema = (keystoreSecretsSchemas as Record<string, (typeof keystoreSecretsSchemas)[keyof typeof keystoreSecretsSchemas] | undefined>)[kind];
  if (!secretsSchema) throw errors.invalid({ kind: `keystore kind ${kind} is not supported yet` });
  const fields: Record<string, string> = {};
  const settings = keystoreSettingsSchema.safeParse({ ...settingsInput, kind });
  if (!settings.success) Object.assign(fields, fieldsFromZod(settings.error, ['settings']));
  const secrets = secretsSchema.safeParse(secretsInput);
  if (!secrets.success) Object.assign(fields, fieldsFromZod(secrets.error, ['secrets']));
  if (!settings.success || !secrets.success) throw errors.invalid(fields, 'the keystore configuration is invalid');
  return {
    settings: settings.data as Record<string, unknown>,
    secrets: Object.fromEntries(Object.entries(secrets.data as Record<string, unknown>).filter(([, v]) => v !== undefined)),
  };
}
