import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlockCipherMode, CryptographicAlgorithm, PaddingMethod, ResultReason } from '../codec/enums.js';
import { resultReasonOf } from '../testing/result-reason.js';
import { DEFAULT_PARAMS, beginDecrypt, beginEncrypt, decrypt, encrypt } from './cipher.js';

const AES = CryptographicAlgorithm.AES;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('server-side ciphers', () => {
  it('defaults to AES-CBC-PKCS5 with a server-generated 16-byte IV', () => {
    const key = randomBytes(32);
    const data = Buffer.from('the default mongod uses');
    const out = encrypt({ algorithm: AES, key, params: DEFAULT_PARAMS, data });
    expect(out.generatedIv).toHaveLength(16);
    const ref = createCipheriv('aes-256-cbc', key, out.generatedIv!);
    expect(out.data.equals(Buffer.concat([ref.update(data), ref.final()]))).toBe(true);
    expect(decrypt({ algorithm: AES, key, params: DEFAULT_PARAMS, data: out.data, iv: out.generatedIv }).equals(data)).toBe(true);
  });

  it('matches the NIST GCM test vector (key 0, IV 0, one zero block) and checks tags of 12 to 16 bytes', () => {
    const key = Buffer.alloc(16);
    const params = { mode: BlockCipherMode.GCM, padding: PaddingMethod.None, tagLength: 16 };
    const out = encrypt({ algorithm: AES, key, params, data: Buffer.alloc(16), iv: Buffer.alloc(12) });
    expect(out.data.toString('hex')).toBe('0388dace60b6a392f328c2b971b2fe78');
    expect(out.tag!.toString('hex')).toBe('ab6e47d42cec13bdf53a67b21257bddf');
    expect(decrypt({ algorithm: AES, key, params: { ...params, tagLength: 12 }, data: out.data, iv: Buffer.alloc(12), tag: out.tag!.subarray(0, 12) })).toEqual(Buffer.alloc(16));
    expect(resultReasonOf(() => decrypt({ algorithm: AES, key, params, data: out.data, iv: Buffer.alloc(12), tag: hex('006e47d42cec13bdf53a67b21257bddf') }))).toBe(ResultReason.CryptographicFailure);
    expect(resultReasonOf(() => encrypt({ algorithm: AES, key, params: { ...params, tagLength: 8 }, data: Buffer.alloc(16), iv: Buffer.alloc(12) }))).toBe(ResultReason.GeneralFailure);
  });

  it('ECB without padding needs whole blocks; CTR streams; Triple DES works in CBC', () => {
    const key = hex('0123456789abcdef0123456789abcdef');
    const ecb = { mode: BlockCipherMode.ECB, padding: PaddingMethod.None };
    expect(encrypt({ algorithm: AES, key, params: ecb, data: hex('01020304050607080910111213141516') }).data.toString('hex')).toBe('d9bcce11b0b437b90239552df3a360c9');
    expect(resultReasonOf(() => encrypt({ algorithm: AES, key, params: ecb, data: Buffer.alloc(15) }))).toBe(ResultReason.InvalidField);
    const ctr = { mode: BlockCipherMode.CTR, padding: PaddingMethod.None };
    const c = encrypt({ algorithm: AES, key, params: ctr, data: Buffer.alloc(5) });
    expect(c.data).toHaveLength(5);
    expect(decrypt({ algorithm: AES, key, params: ctr, data: c.data, iv: c.generatedIv })).toEqual(Buffer.alloc(5));
    const des = randomBytes(24);
    const d = encrypt({ algorithm: CryptographicAlgorithm.DES3, key: des, params: DEFAULT_PARAMS, data: Buffer.from('triple') });
    expect(d.generatedIv).toHaveLength(8);
    expect(decrypt({ algorithm: CryptographicAlgorithm.DES3, key: des, params: DEFAULT_PARAMS, data: d.data, iv: d.generatedIv }).toString()).toBe('triple');
  });

  it('refuses decryption without the IV the mode needs, bad padding, and unknown modes', () => {
    const key = randomBytes(16);
    expect(resultReasonOf(() => decrypt({ algorithm: AES, key, params: DEFAULT_PARAMS, data: Buffer.alloc(16) }))).toBe(ResultReason.InvalidMessage);
    // A block whose plaintext ends in 0x00 never has valid PKCS#5 padding (random bytes would, 1 time in ~250).
    const zeroBlock = createCipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false).update(Buffer.alloc(16));
    expect(resultReasonOf(() => decrypt({ algorithm: AES, key, params: DEFAULT_PARAMS, data: zeroBlock, iv: Buffer.alloc(16) }))).toBe(ResultReason.CryptographicFailure);
    expect(resultReasonOf(() => encrypt({ algorithm: AES, key, params: { mode: BlockCipherMode.XTS, padding: PaddingMethod.None }, data: Buffer.alloc(16) }))).toBe(ResultReason.FeatureNotSupported);
    expect(resultReasonOf(() => encrypt({ algorithm: CryptographicAlgorithm.RSA, key, params: DEFAULT_PARAMS, data: Buffer.alloc(16) }))).toBe(ResultReason.FeatureNotSupported);
  });

  it('streams: parts in, same bytes out as one shot', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const params = { mode: BlockCipherMode.GCM, padding: PaddingMethod.None, tagLength: 16 };
    const data = randomBytes(100);
    const whole = encrypt({ algorithm: AES, key, params, data, iv });
    const { stream } = beginEncrypt({ algorithm: AES, key, params, iv });
    const parts = [stream.update(data.subarray(0, 33)), stream.update(data.subarray(33))];
    const last = stream.final();
    expect(Buffer.concat([...parts, last.data]).equals(whole.data)).toBe(true);
    expect(last.tag!.equals(whole.tag!)).toBe(true);
    const d = beginDecrypt({ algorithm: AES, key, params, iv });
    d.update(whole.data.subarray(0, 10));
    d.update(whole.data.subarray(10));
    expect(d.final(whole.tag).data.equals(data)).toBe(true);
  });
});
