/**
 * Copy-paste configuration for a service: the strings the console's "Connect MongoDB" panel
 * shows. File names match docs/mongodb.md and what `openkcm service register --out <dir>`
 * writes: ca.pem, <service>.crt.pem, <service>.key.pem, <service>.pem, <service>.p12.
 */
export interface SnippetInput {
  tenantId: string;
  serviceId: string;
  kmipEndpoint: string;
}

export function snippets({ tenantId, serviceId, kmipEndpoint }: SnippetInput) {
  const [host, port = '5696'] = splitEndpoint(kmipEndpoint);
  const dir = `./openkcm-${serviceId}`;
  const register = `npx openkcm service register ${serviceId} --out ${dir}`;
  return {
    nodeCsfle: `// Client-side field level encryption, OpenKCM as the KMIP key provider (tenant ${tenantId}).
// Files: ${register}
const { ClientEncryption } = require('mongodb');

const encryption = new ClientEncryption(client, {
  keyVaultNamespace: 'encryption.__keyVault',
  kmsProviders: { kmip: { endpoint: '${host}:${port}' } },
  tlsOptions: { kmip: { tlsCAFile: '${dir}/ca.pem', tlsCertificateKeyFile: '${dir}/${serviceId}.pem' } },
});
// delegated: the key-encryption key never leaves OpenKCM; omit masterKey for libmongocrypt's default mode.
const dataKeyId = await encryption.createDataKey('kmip', { masterKey: { delegated: true } });
`,
    pythonCsfle: `# Client-side field level encryption, OpenKCM as the KMIP key provider (tenant ${tenantId}).
# Files: ${register}
from bson.binary import STANDARD
from bson.codec_options import CodecOptions
from pymongo.encryption import ClientEncryption

encryption = ClientEncryption(
    {"kmip": {"endpoint": "${host}:${port}"}},
    "encryption.__keyVault",
    client,
    CodecOptions(uuid_representation=STANDARD),
    kms_tls_options={"kmip": {"tlsCAFile": "${dir}/ca.pem", "tlsCertificateKeyFile": "${dir}/${serviceId}.pem"}},
)
data_key_id = encryption.create_data_key("kmip", master_key={"delegated": True})
`,
    mongodEncryptionAtRest: `# MongoDB Enterprise encryption at rest, OpenKCM as the KMIP server (tenant ${tenantId}).
# Files: ${register}
security:
  enableEncryption: true
  kmip:
    serverName: ${host}
    port: ${port}
    serverCAFile: ${dir}/ca.pem
    clientCertificateFile: ${dir}/${serviceId}.pem
    activateKeys: true
    keyStatePollingSeconds: 900
# Command line: mongod --enableEncryption --kmipServerName ${host} --kmipPort ${port} --kmipServerCAFile ${dir}/ca.pem --kmipClientCertificateFile ${dir}/${serviceId}.pem
`,
    fieldEncryptionClient: `// OpenKCM field encryption: a fresh key per document write (tenant ${tenantId}).
// Files: ${register}
import { readFileSync } from 'node:fs';
import { KmipClient } from 'openkcm/clients/kmip';
import { EncryptedCollection, FieldEncryption, KmipKeySource } from 'openkcm/clients/mongodb';

const kmip = new KmipClient({
  host: '${host}',
  port: ${Number(port)},
  ca: readFileSync('${dir}/ca.pem'),
  cert: readFileSync('${dir}/${serviceId}.crt.pem'),
  key: readFileSync('${dir}/${serviceId}.key.pem'),
});
const fle = new FieldEncryption({ keys: new KmipKeySource(kmip), namespace: 'app.customer_data', encryptedFields: ['name', 'email'] });
const customers = new EncryptedCollection(mongo.db('app').collection('customer_data'), fle);
`,
  };
}

function splitEndpoint(endpoint: string): [string, string | undefined] {
  const index = endpoint.lastIndexOf(':');
  if (index <= 0 || endpoint.endsWith(']')) return [endpoint, undefined];
  return [endpoint.slice(0, index), endpoint.slice(index + 1)];
}
