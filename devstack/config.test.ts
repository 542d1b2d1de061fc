import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devConfig, portSettings, testConfig } from './config.js';
import { SetupError } from './errors.js';
import { repoRoot } from './paths.js';

describe('devConfig', () => {
  it('uses the documented defaults', () => {
    const config = devConfig({});
    expect(config.dataDir).toBe(path.join(repoRoot, '.data'));
    expect(config.ports).toEqual({
      temporal: 7233, temporalUi: 8233, mongodb: 27017, localKms: 4599, kmip: 5696,
      kmipAdmin: 9696, api: 8080, pykmip: 5697, lowkeyVault: 8443,
    });
    expect(config).toMatchObject({ logLevel: 'info', namespace: 'default', taskQueue: 'openkcm', database: 'openkcm', fresh: false });
  });

  it('reads overrides from OPENKCM_* variables', () => {
    const config = devConfig({ OPENKCM_DATA_DIR: '/tmp/x', OPENKCM_API_PORT: '9000', OPENKCM_LOG_LEVEL: 'debug', OPENKCM_CACHE_DIR: '/tmp/c' });
    expect(config).toMatchObject({ dataDir: '/tmp/x', cacheDir: '/tmp/c', logLevel: 'debug' });
    expect(config.ports.api).toBe(9000);
  });

  it('rejects a bad port or log level with the variable to fix', () => {
    expect(() => devConfig({ OPENKCM_TEMPORAL_PORT: '70000' })).toThrow(SetupError);
    expect(() => devConfig({ OPENKCM_TEMPORAL_PORT: 'abc' })).toThrow(/OPENKCM_TEMPORAL_PORT=abc is not a TCP port/);
    expect(() => devConfig({ OPENKCM_LOG_LEVEL: 'loud' })).toThrow(/OPENKCM_LOG_LEVEL=loud/);
  });
});

describe('testConfig', () => {
  it('gives every server its own free port and a fresh .data-test directory', async () => {
    const config = await testConfig({});
    const ports = Object.values(config.ports);
    expect(new Set(ports).size).toBe(Object.keys(portSettings).length);
    for (const port of ports) expect(Object.values(portSettings).map((s) => s.default)).not.toContain(port);
    expect(config.dataDir).toBe(path.join(repoRoot, '.data-test'));
    expect(config.fresh).toBe(true);
    expect(config.logLevel).toBe('warn');
  });
});
