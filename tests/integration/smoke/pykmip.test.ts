import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stack } from '../../support/stack.js';

// PyKMIP's own client, so this proves the server (our stand-in customer KMIP HSM) is up and
// usable over mutual TLS independently of OpenKCM's KMIP client.
const script = `
import sys
from kmip.pie.client import ProxyKmipClient
from kmip.core import enums
host, port, cert, key, ca = sys.argv[1:6]
params = {'cryptographic_algorithm': enums.CryptographicAlgorithm.AES,
          'block_cipher_mode': enums.BlockCipherMode.CBC, 'padding_method': enums.PaddingMethod.PKCS5}
with ProxyKmipClient(hostname=host, port=int(port), cert=cert, key=key, ca=ca, config_file='/dev/null') as c:
    uid = c.create(enums.CryptographicAlgorithm.AES, 256,
                   cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT, enums.CryptographicUsageMask.DECRYPT])
    c.activate(uid)
    ct, iv = c.encrypt(b'openkcm smoke', uid=uid, cryptographic_parameters=dict(params, random_iv=True))
    pt = c.decrypt(ct, uid=uid, iv_counter_nonce=iv, cryptographic_parameters=params)
    print(uid, ct != b'openkcm smoke', pt.decode())
`;

describe('PyKMIP server (customer KMIP HSM stand-in)', () => {
  it('creates an AES key and encrypts/decrypts over mutual TLS', async () => {
    const pykmip = stack().pykmip;
    const { stdout } = await promisify(execFile)(
      stack().tools.python,
      ['-W', 'ignore', '-c', script, pykmip.host, String(pykmip.port), pykmip.clientCert, pykmip.clientKey, pykmip.caCert],
      { timeout: 30_000 },
    );
    expect(stdout.trim()).toMatch(/^\d+ True openkcm smoke$/);
  });
});
