import { describe, expect, it } from 'vitest';
import { banner, firstTenantCommand } from './banner.js';
import type { StackInfo } from './stack-info.js';

const info: StackInfo = {
  dataDir: '/repo/.data',
  logsDir: '/repo/.data/logs',
  startedAt: '2026-01-01T00:00:00.000Z',
  temporal: { address: '127.0.0.1:7233', namespace: 'default', uiUrl: 'http://127.0.0.1:8233', taskQueue: 'openkcm' },
  mongodb: { uri: 'mongodb://127.0.0.1:27017/', database: 'openkcm' },
  localKms: { endpoint: 'http://127.0.0.1:4599', region: 'eu-central-1', accountId: '111122223333', demoKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/k', demoKeyAlias: 'alias/openkcm-demo' },
  softhsm: { module: '/usr/lib/softhsm/libsofthsm2.so', conf: '/repo/.data/softhsm/softhsm2.conf', tokenLabel: 'openkcm-dev', pin: '12345678', soPin: '123456789012' },
  pykmip: { host: '127.0.0.1', port: 5697, caCert: 'ca', clientCert: 'c', clientKey: 'k' },
  kmip: { host: '127.0.0.1', port: 5696, adminUrl: 'http://127.0.0.1:9696', caCert: '/repo/.data/pki/ca.pem' },
  api: { url: 'http://127.0.0.1:8080' },
  console: { url: 'http://127.0.0.1:8080/' },
  secrets: { platformKeyFile: '/repo/.data/secrets/platform.key', webhookSecretFile: '/repo/.data/secrets/webhook.secret' },
  tools: { temporal: 't', temporalTestServer: 'ts', chromium: '/usr/bin/chromium', python: 'py' },
};

describe('banner', () => {
  const text = banner(info, 5_400);

  it('shows every URL a user needs and how to create a first tenant', () => {
    expect(text).toContain('ready in 5.4 s');
    expect(text).toMatch(/Console\s+http:\/\/127\.0\.0\.1:8080\/\n/);
    expect(text).toMatch(/API\s+http:\/\/127\.0\.0\.1:8080\/api\n/);
    expect(text).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:8233\n/);
    expect(text).toMatch(/KMIP \(mTLS\)\s+127\.0\.0\.1:5696\n/);
    expect(text).toMatch(/KMIP HSM \(PyKMIP\)\s+127\.0\.0\.1:5697\n/);
    expect(text).toContain(firstTenantCommand);
    expect(text).toContain(info.localKms.demoKeyArn);
    expect(text).toContain('Ctrl-C');
  });

  it('never prints the SoftHSM PINs', () => {
    expect(text).not.toContain(info.softhsm.pin);
    expect(text).not.toContain(info.softhsm.soPin);
  });
});
