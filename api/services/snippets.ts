/**
 * Copy-paste configuration for a service: the strings the console's "Connect MongoDB" panel
 * shows. File names match what `openkcm service register --out <dir>` writes.
 */
export interface SnippetInput {
  tenantId: string;
  serviceId: string;
  kmipEndpoint: string;
}

export function snippets({ tenantId, serviceId, kmipEndpoint }: SnippetInput) {
  const [host, port = '5696'] = splitEndpoint(kmipEndpoint);
  const dir = `./openkcm-${serviceId}`;
  return {
    nodeCsfle: `// Client-side field level encryption with OpenKCM as the KMIP key provider (tenant ${tenantId}).
// npx openkcm service register ${serviceId} --out ${dir}
const { MongoClient, ClientEncryption } = require('mongodb');

const kmsProviders = { kmip: { endpoint: '${host}:${port}' } };
const tlsOptions = {
  kmip: { tlsCAFile: '${dir}/ca.pem', tlsCertificateKeyFile: '${dir}/client.pem' },
};
const client = new MongoClient(process.env.MONGODB_URI);
const encryption = new ClientEncryption(client, {
  keyVaultNamespace: 'encryption.__keyVault',
  kmsProviders,
  tlsOptions,
});
const dataKeyId = await encryption.createDataKey('kmip');
`,
    pythonCsfle: `# Client-side field level encryption with OpenKCM as the KMIP key provider (tenant ${tenantId}).
# npx openkcm service register ${serviceId} --out ${dir}
from pymongo import MongoClient
from pymongo.encryption import ClientEncryption
from bson.codec_options import CodecOptions

kms_providers = {"kmip": {"endpoint": "${host}:${port}"}}
kms_tls_options = {"kmip": {"tlsCAFile": "${dir}/ca.pem", "tlsCertificateKeyFile": "${dir}/client.pem"}}
client = MongoClient()
encryption = ClientEncryption(kms_providers, "encryption.__keyVault", client, CodecOptions(),
                              kms_tls_options=kms_tls_options)
data_key_id = encryption.create_data_key("kmip")
`,
    mongodEncryptionAtRest: `# MongoDB Enterprise encryption at rest with OpenKCM as the KMIP server (tenant ${tenantId}).
mongod --enableEncryption \\
  --kmipServerName ${host} --kmipPort ${port} \\
  --kmipServerCAFile ${dir}/ca.pem \\
  --kmipClientCertificateFile ${dir}/client.pem
`,
    fieldEncryptionClient: `# Files for service "${serviceId}" of tenant ${tenantId}:
npx openkcm service register ${serviceId} --out ${dir}
#   cert.pem   the service certificate      key.pem     its private key (generated once)
#   chain.pem  certificate + issuing CA     ca.pem      the platform root CA
#   client.pem key + chain (tlsCertificateKeyFile)      bundle.p12  PKCS#12 (password in bundle.p12.password)
# KMIP endpoint: ${host}:${port}
`,
  };
}

function splitEndpoint(endpoint: string): [string, string | undefined] {
  const index = endpoint.lastIndexOf(':');
  if (index <= 0 || endpoint.endsWith(']')) return [endpoint, undefined];
  return [endpoint.slice(0, index), endpoint.slice(index + 1)];
}
