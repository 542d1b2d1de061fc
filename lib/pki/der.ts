import { createHash, type KeyObject, sign } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/**
 * The ASN.1/DER toolkit every builder here shares. node-forge does the encoding (its X.509
 * builder is RSA-only, so certificates, CSRs, CRLs and PKCS#12 are assembled from forge.asn1
 * nodes), Node's crypto does keys and signatures. forge works on "binary strings"; these
 * helpers keep Buffers at the boundary.
 */
export const asn1 = forge.asn1;
export type Asn1 = forge.asn1.Asn1;
const { Class, Type } = forge.asn1;

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** Strict DER parse; BIT STRING contents are kept opaque (no guessing whether they hold ASN.1). */
export function fromDer(der: Buffer): Asn1 {
  const parse = asn1.fromDer as unknown as (
    bytes: string,
    options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
  ) => Asn1;
  return parse(der.toString('binary'), { strict: true, parseAllBytes: true, decodeBitStrings: false });
}

export function bytesOf(node: Asn1): Buffer {
  if (typeof node.value !== 'string') throw new TypeError('ASN.1 node is constructed, not primitive');
  return Buffer.from(node.value, 'binary');
}

export function childrenOf(node: Asn1 | undefined): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new TypeError('ASN.1 node is not constructed');
  return node.value;
}

export const seq = (items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1.create(Class.UNIVERSAL, Type.SET, true, items);
export const oid = (dotted: string): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
export const nullNode = (): Asn1 => asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
export const bool = (value: boolean): Asn1 => asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, value ? '\xff' : '\x00');
export const octets = (bytes: Buffer): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
export const utf8 = (text: string): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.UTF8, false, Buffer.from(text, 'utf8').toString('binary'));
export const ia5 = (text: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.IA5STRING, false, text);
export const bmp = (text: string): Asn1 => asn1.create(Class.UNIVERSAL, Type.BMPSTRING, false, text);
/** BIT STRING; `unusedBits` counts the padding bits at the end of the last byte. */
export const bits = (bytes: Buffer, unusedBits = 0): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unusedBits) + bytes.toString('binary'));
export const explicit = (tag: number, inner: Asn1): Asn1 => asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]);
export const implicitPrimitive = (tag: number, bytes: string): Asn1 =>
  asn1.create(Class.CONTEXT_SPECIFIC, tag, false, bytes);

/** INTEGER from a small non-negative number. */
export const smallInt = (n: number): Asn1 =>
  asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(n).getBytes());

/** INTEGER from unsigned big-endian bytes (adds the sign octet DER needs). */
export function unsignedInt(bytes: Buffer): Asn1 {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let body = bytes.subarray(start);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, body.toString('binary'));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
export function time(date: Date): Asn1 {
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return d.getUTCFullYear() < 2050
    ? asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

export interface DistinguishedName {
  O?: string;
  OU?: string;
  CN: string;
}

/** Name with one attribute per RDN, in the conventional order O, OU, CN; values as UTF8String. */
export function name(dn: DistinguishedName): Asn1 {
  const attrs: Array<[string, string | undefined]> = [
    [OID.organization, dn.O],
    [OID.organizationalUnit, dn.OU],
    [OID.commonName, dn.CN],
  ];
  return seq(attrs.filter(([, v]) => v !== undefined).map(([type, v]) => set([seq([oid(type), utf8(v!)])])));
}

export type SigningAlgorithm = { hash: 'sha256' | 'sha384'; oid: string; rsa: boolean };

/** The signature algorithm an issuer key implies: ECDSA with SHA-256 (P-256) or SHA-384 (P-384). */
export function signingAlgorithmFor(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return { hash: 'sha256', oid: OID.ecdsaWithSha256, rsa: false };
    if (curve === 'secp384r1') return { hash: 'sha384', oid: OID.ecdsaWithSha384, rsa: false };
  }
  if (key.asymmetricKeyType === 'rsa') return { hash: 'sha256', oid: OID.sha256WithRsa, rsa: true };
  throw new TypeError(`unsupported issuer key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/** AlgorithmIdentifier: ECDSA takes no parameters, RSA PKCS#1 v1.5 takes NULL (RFC 5758, 4055). */
export function algorithmIdentifier(alg: SigningAlgorithm): Asn1 {
  return seq(alg.rsa ? [oid(alg.oid), nullNode()] : [oid(alg.oid)]);
}

/** Signs a to-be-signed structure and wraps it as SEQUENCE { tbs, algorithm, BIT STRING signature }. */
export function signStructure(tbs: Asn1, issuerKey: KeyObject): Buffer {
  const alg = signingAlgorithmFor(issuerKey);
  const tbsDer = toDer(tbs);
  const signature = sign(alg.hash, tbsDer, { key: issuerKey, dsaEncoding: 'der' });
  return toDer(seq([tbs, algorithmIdentifier(alg), bits(signature)]));
}

export function spkiNode(publicKey: KeyObject): Asn1 {
  return fromDer(publicKey.export({ type: 'spki', format: 'der' }));
}

/** RFC 7093 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING value. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = childrenOf(spkiNode(publicKey));
  const keyBits = bytesOf(spki[1]!).subarray(1);
  return createHash('sha256').update(keyBits).digest().subarray(0, 20);
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/** Every PEM block with the given label, decoded; anything else in the text is ignored. */
export function fromPemAll(text: string, labels: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    if (!labels.includes(m[1]!)) continue;
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new TypeError(`invalid base64 in PEM ${m[1]} block`);
    out.push(Buffer.from(body, 'base64'));
  }
  return out;
}

/** iPAddress SAN bytes: 4 for IPv4, 16 for IPv6. */
export function ipBytes(address: string): Buffer {
  const kind = isIP(address);
  if (kind === 4) return Buffer.from(address.split('.').map(Number));
  if (kind !== 6) throw new TypeError(`not an IP address: ${address}`);
  let text = address;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

/** Where one TLV element sits in a DER buffer; lets callers take the exact signed bytes. */
export interface ElementSpan {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads the element at `offset` (single-byte tags, definite lengths only — i.e. DER). */
export function elementAt(der: Buffer, offset: number): ElementSpan {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError('truncated DER element');
  if ((tag & 0x1f) === 0x1f) throw new RangeError('multi-byte DER tags are not supported');
  let length: number;
  let contentStart: number;
  if (first < 0x80) {
    length = first;
    contentStart = offset + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new RangeError('unsupported DER length encoding');
    length = 0;
    for (let i = 0; i < n; i++) {
      const b = der[offset + 2 + i];
      if (b === undefined) throw new RangeError('truncated DER length');
      length = length * 256 + b;
    }
    contentStart = offset + 2 + n;
  }
  const end = contentStart + length;
  if (end > der.length) throw new RangeError('DER element overruns its buffer');
  return { tag, start: offset, contentStart, end };
}

/** The exact bytes of the first child of the outer SEQUENCE (the signed part of a certificate, CSR or CRL). */
export function signedPortion(der: Buffer): Buffer {
  const outer = elementAt(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new RangeError('not a single DER SEQUENCE');
  const inner = elementAt(der, outer.contentStart);
  return der.subarray(inner.start, inner.end);
}

/** The subject Name of a DER certificate, as an ASN.1 node to use verbatim as an issuer name. */
export function certificateSubject(certDer: Buffer): Asn1 {
  const tbs = childrenOf(childrenOf(fromDer(certDer))[0]);
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, ...
  const hasVersion = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC;
  const subject = tbs[hasVersion ? 5 : 4];
  if (!subject) throw new RangeError('certificate has no subject');
  return subject;
}
