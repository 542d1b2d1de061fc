import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import { type Asn1, bmp, explicit, nullNode, octets, oid, seq, set, smallInt, toDer } from './der.js';

/**
 * PKCS#12 (RFC 7292) bundles for any key type. node-forge's own PKCS#12 writer only takes RSA
 * keys and forge certificate objects, so the structure is assembled from forge.asn1 nodes;
 * the cryptography (PBKDF2, AES-256-CBC, the PKCS#12 MAC key derivation, HMAC) is Node's, so
 * key bytes stay in Buffers that are zeroed after use.
 *
 * Profile (what OpenSSL 3 writes by default): key in a PKCS#8 shrouded bag encrypted with
 * PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC; certificates in a plain data bag (they are
 * public); MAC HMAC-SHA256 with the PKCS#12 KDF.
 */
const P12 = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const DEFAULT_ITERATIONS = 10_000;

export interface Pkcs12Input {
  privateKey: KeyObject;
  /** DER certificates, the key's own certificate first, then its chain. */
  certificates: Buffer[];
  password: string;
  friendlyName?: string;
  iterations?: number;
}

/** 144 random bits as 24 URL-safe characters: ASCII, so every PKCS#12 reader agrees on its encoding. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function buildPkcs12(input: Pkcs12Input): Buffer {
  const [leaf] = input.certificates;
  if (!leaf) throw new RangeError('a PKCS#12 bundle needs the key certificate');
  if (!/^[\x20-\x7e]{8,}$/.test(input.password)) throw new RangeError('password must be at least 8 printable ASCII characters');
  const iterations = input.iterations ?? DEFAULT_ITERATIONS;
  const localKeyId = createHash('sha256').update(leaf).digest().subarray(0, 20);
  const attrs = (withKeyId: boolean): Asn1 => {
    const list = withKeyId ? [seq([oid(P12.localKeyId), set([octets(localKeyId)])])] : [];
    if (withKeyId && input.friendlyName) list.push(seq([oid(P12.friendlyName), set([bmp(input.friendlyName)])]));
    return set(list);
  };

  const certBags = input.certificates.map((cert, i) => {
    const bag = seq([oid(P12.x509Certificate), explicit(0, octets(cert))]);
    const parts = [oid(P12.certBag), explicit(0, bag)];
    if (i === 0) parts.push(attrs(true));
    return seq(parts);
  });
  const keyBag = seq([oid(P12.pkcs8ShroudedKeyBag), explicit(0, encryptPrivateKey(input.privateKey, input.password, iterations)), attrs(true)]);

  const dataContent = (safeContents: Asn1[]): Asn1 =>
    seq([oid(P12.data), explicit(0, octets(toDer(seq(safeContents))))]);
  const authSafe = toDer(seq([dataContent(certBags), dataContent([keyBag])]));

  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf(input.password, macSalt, 3, iterations, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  macKey.fill(0);

  return toDer(
    seq([
      smallInt(3),
      seq([oid(P12.data), explicit(0, octets(authSafe))]),
      seq([seq([seq([oid(P12.sha256), nullNode()]), octets(mac)]), octets(macSalt), smallInt(iterations)]),
    ]),
  );
}

/** PKCS#8 EncryptedPrivateKeyInfo, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC. */
export function encryptPrivateKey(privateKey: KeyObject, password: string, iterations = DEFAULT_ITERATIONS): Asn1 {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  let encrypted: Buffer;
  try {
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  } finally {
    key.fill(0);
    pkcs8.fill(0);
  }
  const algorithm = seq([
    oid(P12.pbes2),
    seq([
      seq([oid(P12.pbkdf2), seq([octets(salt), smallInt(iterations), seq([oid(P12.hmacWithSha256), nullNode()])])]),
      seq([oid(P12.aes256Cbc), octets(iv)]),
    ]),
  ]);
  return seq([algorithm, octets(encrypted)]);
}

/**
 * RFC 7292 Appendix B.2 key derivation with SHA-256 (u = 32, v = 64). The password is the
 * BMPString (UTF-16BE) with a two-byte terminator; `id` 3 derives MAC keys.
 */
export function pkcs12Kdf(password: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  const u = 32;
  const v = 64;
  const pass = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) pass.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer): Buffer => {
    const out = Buffer.alloc(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(pass)]);
  pass.fill(0);
  const D = Buffer.alloc(v, id);
  const out = Buffer.alloc(Math.ceil(length / u) * u);
  for (let block = 0; block * u < length; block++) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    A.copy(out, block * u);
    if ((block + 1) * u >= length) break;
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
    B.fill(0);
  }
  I.fill(0);
  const result = Buffer.from(out.subarray(0, length));
  out.fill(0);
  return result;
}
