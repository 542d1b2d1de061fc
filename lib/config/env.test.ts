import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.js';

describe('loadConfig', () => {
  it('applies defaults and derives file locations from the data directory', () => {
    const config = loadConfig({ OPENKCM_DATA_DIR: '/tmp/okcm' });
    expect(config.kmip.port).toBe(5696);
    expect(config.platformKeyFile).toBe(path.join('/tmp/okcm', 'platform.key'));
    expect(config.api.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('names every invalid variable', () => {
    expect(() => loadConfig({ OPENKCM_KMIP_PORT: 'x', OPENKCM_LOG_LEVEL: 'loud' })).toThrowError(ConfigError);
    expect(() => loadConfig({ OPENKCM_KMIP_PORT: 'x' })).toThrowError(/OPENKCM_KMIP_PORT/);
  });
});
