import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../devstack/paths.js';

// Docker cannot run here, so this checks the deployment's structure instead: the services
// a production-like OpenKCM needs, wired the way the services expect.

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file: string }>;
}

const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const services = compose.services;
const openkcmServices = ['api', 'worker', 'kmip'] as const;

describe('docker-compose.yml', () => {
  it('runs MongoDB as a single-node replica set that initiates itself', () => {
    const mongodb = services.mongodb!;
    expect(mongodb.image).toMatch(/^mongo:\d/);
    expect(mongodb.command).toContain('--replSet');
    expect(JSON.stringify(mongodb.healthcheck?.test)).toContain('rs.initiate');
    expect(mongodb.volumes?.some((v) => v.endsWith(':/data/db'))).toBe(true);
  });

  it('runs a Temporal server on its own database, the Temporal UI, and registers TenantId', () => {
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:\d/);
    expect(services.temporal?.environment?.POSTGRES_SEEDS).toBe('temporal-postgresql');
    expect(services.temporal?.depends_on?.['temporal-postgresql']?.condition).toBe('service_healthy');
    expect(services['temporal-postgresql']?.image).toMatch(/^postgres:\d/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:\d/);
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(JSON.stringify(services['temporal-setup']?.command)).toContain('TenantId');
  });

  it('runs local-kms for demos with the demo key seeded', () => {
    const kms = services['local-kms']!;
    expect(kms.image).toMatch(/^nsmithuk\/local-kms:/);
    const seed = kms.volumes?.find((v) => v.endsWith(':/init/seed.yaml:ro'))?.split(':')[0];
    expect(seed).toBeDefined();
    const seeded = parse(readFileSync(path.join(repoRoot, seed!), 'utf8')) as { Aliases: { AliasName: string }[] };
    expect(seeded.Aliases.map((a) => a.AliasName)).toContain('alias/openkcm-demo');
  });

  it('builds the OpenKCM services from the Dockerfile with the configuration they read', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    for (const name of openkcmServices) {
      const service = services[name]!;
      expect(service.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
      const entry = (service.command as string[]).find((part) => part.startsWith('dist/'));
      expect(entry).toBeDefined();
      // The entry point is compiled from a source file that exists.
      expect(readFileSync(path.join(repoRoot, entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8').length).toBeGreaterThan(0);
      for (const key of [
        'OPENKCM_MONGODB_URI', 'OPENKCM_MONGODB_DATABASE', 'OPENKCM_TEMPORAL_ADDRESS', 'OPENKCM_TEMPORAL_NAMESPACE',
        'OPENKCM_TEMPORAL_TASK_QUEUE', 'OPENKCM_API_PORT', 'OPENKCM_KMIP_PORT', 'OPENKCM_KMIP_ADMIN_PORT',
        'OPENKCM_DATA_DIR', 'OPENKCM_PLATFORM_KEY_FILE', 'OPENKCM_WEBHOOK_SECRET_FILE', 'OPENKCM_LOG_LEVEL',
      ]) {
        expect(service.environment?.[key], `${name}.${key}`).toBeTruthy();
      }
      expect(service.environment?.OPENKCM_MONGODB_URI).toContain('replicaSet=rs0');
      expect(service.secrets).toEqual(['platform_key', 'webhook_secret']);
    }
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/vite\.js build/);
    expect(services.api?.ports).toContain('8080:8080');
    expect(services.kmip?.ports).toContain('5696:5696');
    // Unshipped audit events live in the KMIP server's journal: it sits on a volume.
    expect(services.kmip?.volumes?.some((v) => v.endsWith(':/var/lib/openkcm'))).toBe(true);
  });

  it('gives every long-running service a healthcheck, and depends only on healthy services', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.restart === 'on-failure') continue; // one-shot set-up jobs
      expect(service.healthcheck?.test, `${name} has a healthcheck`).toBeDefined();
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(condition).toBe('service_healthy');
      }
    }
  });

  it('declares every named volume and secret it uses', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(compose.volumes).toHaveProperty(source);
      }
      for (const secret of service.secrets ?? []) expect(compose.secrets).toHaveProperty(secret);
    }
  });
});
