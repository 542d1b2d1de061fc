import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  type Asn1,
  type DistinguishedName,
  OID,
  asn1,
  bytesOf,
  childrenOf,
  fromDer,
  fromPemAll,
  name,
  seq,
  signStructure,
  signedPortion,
  smallInt,
  spkiNode,
  toDer,
  toPem,
} from './der.js';

/**
 * PKCS#10 certificate requests. All we take from a CSR is its public key, and only after its
 * self-signature proves the requester holds the private key. Subject, SANs and requested
 * extensions are ignored: the authenticated request decides what the certificate says.
 */
export type CsrErrorCode = 'malformed' | 'bad-signature' | 'unsupported-algorithm' | 'unsupported-key';

export class CsrError extends Error {
  override readonly name = 'CsrError';
  constructor(
    readonly code: CsrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type PublicKeyAlgorithm = 'ec-p256' | 'ec-p384' | `rsa-${number}`;

export interface VerifiedCsr {
  publicKey: KeyObject;
  keyAlgorithm: PublicKeyAlgorithm;
}

const MAX_CSR_BYTES = 16 * 1024;
const MAX_RSA_BITS = 8192;

const SIGNATURE_HASHES: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
};

/** Accepts PEM text (`CERTIFICATE REQUEST` or `NEW CERTIFICATE REQUEST`) or DER bytes. */
export function verifyCsr(input: string | Buffer): VerifiedCsr {
  const der = csrDer(input);
  let info: Buffer;
  let infoFields: Asn1[];
  let algorithmOid: string;
  let signature: Buffer;
  try {
    info = signedPortion(der);
    const [infoNode, algNode, sigNode] = childrenOf(fromDer(der));
    infoFields = childrenOf(infoNode);
    algorithmOid = asn1.derToOid(bytesOf(childrenOf(algNode)[0]!).toString('binary'));
    const sigBits = bytesOf(sigNode!);
    if (sigBits[0] !== 0) throw new Error('signature BIT STRING has unused bits');
    signature = sigBits.subarray(1);
    const version = bytesOf(infoFields[0]!);
    if (version.length !== 1 || version[0] !== 0) throw new Error('unknown CSR version');
  } catch (error) {
    if (error instanceof CsrError) throw error;
    throw new CsrError('malformed', 'certificate request is not a valid PKCS#10 structure');
  }

  const publicKey = importPublicKey(infoFields[2]);
  const keyAlgorithm = checkKeyPolicy(publicKey);

  const hash = SIGNATURE_HASHES[algorithmOid];
  if (!hash) throw new CsrError('unsupported-algorithm', `CSR signature algorithm ${algorithmOid} is not accepted`);
  const isEcSignature = algorithmOid.startsWith('1.2.840.10045.');
  if (isEcSignature !== (publicKey.asymmetricKeyType === 'ec')) {
    throw new CsrError('unsupported-algorithm', 'CSR signature algorithm does not match its key type');
  }
  let ok = false;
  try {
    ok = verify(hash, info, publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new CsrError('bad-signature', 'certificate request signature does not verify (proof of possession failed)');
  return { publicKey, keyAlgorithm };
}

function csrDer(input: string | Buffer): Buffer {
  const looksPem = typeof input === 'string' || input.subarray(0, 64).toString('latin1').includes('-----BEGIN');
  if (!looksPem) {
    if (input.length > MAX_CSR_BYTES) throw new CsrError('malformed', 'certificate request is too large');
    return input;
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.length > MAX_CSR_BYTES * 2) throw new CsrError('malformed', 'certificate request is too large');
  let blocks: Buffer[];
  try {
    blocks = fromPemAll(text, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
  } catch {
    throw new CsrError('malformed', 'certificate request PEM is not valid base64');
  }
  if (blocks.length !== 1) throw new CsrError('malformed', 'expected exactly one PEM CERTIFICATE REQUEST block');
  return blocks[0]!;
}

function importPublicKey(spki: Asn1 | undefined): KeyObject {
  try {
    if (!spki) throw new Error('missing');
    return createPublicKey({ key: toDer(spki), format: 'der', type: 'spki' });
  } catch {
    throw new CsrError('unsupported-key', 'certificate request public key cannot be read');
  }
}

/** ECDSA P-256/P-384 or RSA 2048–8192 bits; everything else is refused. */
export function checkKeyPolicy(key: KeyObject): PublicKeyAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve === 'prime256v1') return 'ec-p256';
    if (details?.namedCurve === 'secp384r1') return 'ec-p384';
    throw new CsrError('unsupported-key', 'EC keys must be on P-256 or P-384');
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details?.modulusLength ?? 0;
    if (bits < 2048 || bits > MAX_RSA_BITS) throw new CsrError('unsupported-key', 'RSA keys must be 2048 to 8192 bits');
    return `rsa-${bits}`;
  }
  throw new CsrError('unsupported-key', `key type ${key.asymmetricKeyType ?? 'unknown'} is not accepted (use ECDSA P-256)`);
}

/**
 * Builds a PKCS#10 request for `privateKey` (what a MongoDB service does before asking for a
 * certificate; OpenKCM itself only needs it in tests and the CLI). The subject is informative
 * only — the issuer ignores it.
 */
export function createCsr(privateKey: KeyObject, subject: DistinguishedName = { CN: 'openkcm-service' }): string {
  const publicKey = createPublicKey(privateKey);
  // attributes are [0] IMPLICIT SET OF Attribute: an empty constructed [0].
  const attributes = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, []);
  const info = seq([smallInt(0), name(subject), spkiNode(publicKey), attributes]);
  return toPem('CERTIFICATE REQUEST', signStructure(info, privateKey));
}
