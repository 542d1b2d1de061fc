import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IDENTIFIER_PATTERN } from '../lib/tenants/model.js';
import { auditVerify } from './commands/audit.js';
import { l1Activate, l1Configure, l1Revoke, l1Rotate, l1Status, l1Test, type Flags } from './commands/l1.js';
import { serviceRegister } from './commands/service.js';
import { tenantCreate, tenantDelete, tenantStatus } from './commands/tenant.js';
import { resolveContext, type CliContext } from './context.js';
import { CliError, usageError } from './errors.js';
import { consoleOutput, type Output } from './output.js';
import { login } from './session.js';

export const USAGE = `openkcm — operate OpenKCM from the terminal

  openkcm tenant create <tenant> [--name <display name>]   send tenant.created (as Platform Mesh), wait for Ready,
                                                          print and save the initial admin credentials
  openkcm tenant delete <tenant>                          send tenant.deleted and wait for offboarding
  openkcm tenant status <tenant> [--json]

  openkcm l1 configure --kind aws-kms --key-arn <arn> [--region <r>] [--endpoint <url>] [--access-key-id <id>]
                       [--secret-access-key <s> | env AWS_SECRET_ACCESS_KEY] [--role-arn <arn> --external-id <id>]
  openkcm l1 configure --kind azure-keyvault --key-url <url> --directory-tenant-id <id> --client-id <id>
                       [--client-secret <s> | env AZURE_CLIENT_SECRET]
  openkcm l1 configure --kind pkcs11 --module-path <so> (--token-label <l> | --slot <n>) --key-label <l>
                       [--pin <pin> | env PKCS11_PIN] [--mechanism aes-gcm|aes-key-wrap-pad]
  openkcm l1 configure --kind kmip --host <h> [--port <p>] --key-id <uid> --ca-cert-file <f>
                       --client-cert-file <f> --client-key-file <f>
                       (any kind: --label <text> --settings-json '<json>' --secrets-file <json file>)
  openkcm l1 test [--config <id>]                         run the connection diagnostics
  openkcm l1 activate [--config <id>]                     activate, with progress until Active or Error
  openkcm l1 status
  openkcm l1 rotate --confirm <tenant>
  openkcm l1 revoke --confirm <tenant> --reason <text>    the kill switch

  openkcm service register <service> --out <dir> [--csr <file>] [--description <text>]
  openkcm audit verify [--json]

Tenant-scoped commands (l1, service, audit) take --tenant <id> (or OPENKCM_TENANT; default: the
only tenant with saved credentials) and log in with --username/--password (or OPENKCM_USERNAME/
OPENKCM_PASSWORD, or the credentials 'tenant create' saved).

Global: --api-url <url> (OPENKCM_API_URL), --data-dir <dir> (OPENKCM_DATA_DIR, default .data; its
stack.json names the API), --webhook-secret-file <file> (OPENKCM_WEBHOOK_SECRET_FILE), --timeout <s>.
`;

const STRING_OPTIONS = [
  'api-url', 'data-dir', 'webhook-secret-file', 'tenant', 'username', 'password', 'timeout', 'name',
  'kind', 'label', 'key-arn', 'endpoint', 'access-key-id', 'secret-access-key', 'session-token', 'role-arn', 'external-id',
  'key-url', 'directory-tenant-id', 'client-id', 'client-secret', 'authority-host', 'algorithm', 'ca-cert-file',
  'region', 'module-path', 'token-label', 'slot', 'key-label', 'key-id', 'mechanism', 'pin',
  'host', 'port', 'client-cert-file', 'client-key-file', 'client-key-passphrase', 'server-name',
  'settings-json', 'secrets-file', 'config', 'confirm', 'reason', 'out', 'csr', 'description',
] as const;

function parse(argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const name of STRING_OPTIONS) options[name] = { type: 'string' };
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function identifier(value: string | undefined, what: string): string {
  if (!value) throw usageError(`missing <${what}>`);
  if (!IDENTIFIER_PATTERN.test(value)) throw usageError(`<${what}> must be lower-case letters, digits and dashes (got "${value}")`);
  return value;
}

async function defaultTenant(ctx: CliContext, flags: Flags, env: NodeJS.ProcessEnv): Promise<string> {
  const given = (flags.tenant as string | undefined) ?? env.OPENKCM_TENANT;
  if (given) return identifier(given, 'tenant');
  const dir = path.join(ctx.dataDir, 'credentials');
  const files = await readdir(dir).catch(() => [] as string[]);
  const tenants = files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  if (tenants.length === 1) return tenants[0]!;
  throw usageError(tenants.length === 0 ? 'which tenant? pass --tenant <id>' : `which tenant? pass --tenant (one of ${tenants.join(', ')})`);
}

export interface MainOptions {
  output?: Output;
  env?: NodeJS.ProcessEnv;
}

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const output = options.output ?? consoleOutput;
  const env = options.env ?? process.env;
  try {
    const { values, positionals } = parse(argv);
    const flags = values as Flags;
    const [group, command, arg] = positionals;
    if (flags.help || !group) {
      output.out(USAGE);
      return flags.help ? 0 : 2;
    }
    const timeoutSeconds = Number(flags.timeout ?? 600);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usageError('--timeout must be a positive number of seconds');
    const timeoutMs = timeoutSeconds * 1000;
    const ctx = resolveContext(
      {
        ...(typeof flags['api-url'] === 'string' ? { apiUrl: flags['api-url'] } : {}),
        ...(typeof flags['data-dir'] === 'string' ? { dataDir: flags['data-dir'] } : {}),
        ...(typeof flags['webhook-secret-file'] === 'string' ? { webhookSecretFile: flags['webhook-secret-file'] } : {}),
      },
      env,
    );
    const session = async () => {
      const tenantId = await defaultTenant(ctx, flags, env);
      const token = await login(
        ctx,
        {
          tenantId,
          ...(typeof flags.username === 'string' ? { username: flags.username } : {}),
          ...(typeof flags.password === 'string' ? { password: flags.password } : {}),
        },
        env,
      );
      return { tenantId, token };
    };

    switch (`${group} ${command ?? ''}`.trim()) {
      case 'tenant create':
        await tenantCreate(ctx, output, {
          tenantId: identifier(arg, 'tenant'),
          ...(typeof flags.name === 'string' ? { displayName: flags.name } : {}),
          timeoutMs,
        });
        return 0;
      case 'tenant delete':
        await tenantDelete(ctx, output, { tenantId: identifier(arg, 'tenant'), timeoutMs });
        return 0;
      case 'tenant status':
        await tenantStatus(ctx, output, { tenantId: identifier(arg, 'tenant'), json: flags.json === true });
        return 0;
      case 'l1 configure': {
        const { token } = await session();
        await l1Configure(ctx, output, token, flags, env);
        return 0;
      }
      case 'l1 test': {
        const { token } = await session();
        return (await l1Test(ctx, output, token, flags)) ? 0 : 1;
      }
      case 'l1 activate': {
        const { token } = await session();
        return (await l1Activate(ctx, output, token, flags, timeoutMs)) ? 0 : 1;
      }
      case 'l1 status': {
        const { token } = await session();
        await l1Status(ctx, output, token);
        return 0;
      }
      case 'l1 rotate': {
        const { tenantId, token } = await session();
        await l1Rotate(ctx, output, token, tenantId, flags);
        return 0;
      }
      case 'l1 revoke': {
        const { tenantId, token } = await session();
        await l1Revoke(ctx, output, token, tenantId, flags);
        return 0;
      }
      case 'service register': {
        const serviceId = identifier(arg, 'service');
        if (typeof flags.out !== 'string') throw usageError('service register needs --out <dir>');
        const { token } = await session();
        await serviceRegister(ctx, output, token, {
          serviceId,
          outDir: flags.out,
          ...(typeof flags.csr === 'string' ? { csrFile: flags.csr } : {}),
          ...(typeof flags.description === 'string' ? { description: flags.description } : {}),
        });
        return 0;
      }
      case 'audit verify': {
        const { token } = await session();
        return (await auditVerify(ctx, output, token, flags.json === true)) ? 0 : 1;
      }
      default:
        throw usageError(`unknown command "${positionals.join(' ')}"; see openkcm --help`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      output.progress(`openkcm: ${error.message}`);
      return error.exitCode;
    }
    output.progress(`openkcm: unexpected error: ${(error as Error).message}`);
    return 1;
  }
}
