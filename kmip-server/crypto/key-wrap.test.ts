import { describe, expect, it } from 'vitest';
import { BlockCipherMode, ResultReason } from '../codec/enums.js';
import { resultReasonOf } from '../testing/result-reason.js';
import { unwrapKey, wrapKey, wrapModeOf } from './key-wrap.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const KW = BlockCipherMode.NISTKeyWrap;
const KWP = BlockCipherMode.AESKeyWrapPadding;

describe('AES key wrap', () => {
  // RFC 3394 §4.1 and §4.6; RFC 5649 §6 (both examples).
  const vectors = [
    { mode: KW, kek: '000102030405060708090a0b0c0d0e0f', key: '00112233445566778899aabbccddeeff', wrapped: '1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5' },
    {
      mode: KW,
      kek: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
      key: '00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f',
      wrapped: '28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21',
    },
    { mode: KWP, kek: '5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8', key: 'c37b7e6492584340bed12207808941155068f738', wrapped: '138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a' },
    { mode: KWP, kek: '5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8', key: '466f7250617369', wrapped: 'afbeb0f07dfbf5419200f2ccb50bb24f' },
  ];

  it.each(vectors)('matches the RFC vector ($mode, $kek)', ({ mode, kek, key, wrapped }) => {
    expect(wrapKey(mode, hex(kek), hex(key)).toString('hex')).toBe(wrapped);
    expect(unwrapKey(mode, hex(kek), hex(wrapped)).toString('hex')).toBe(key);
  });

  it('refuses a wrong KEK or altered bytes as a Cryptographic Failure, never returning garbage', () => {
    const { kek, wrapped } = vectors[0]!;
    const altered = hex(wrapped);
    altered[5]! ^= 1;
    expect(resultReasonOf(() => unwrapKey(KW, hex(kek), altered))).toBe(ResultReason.CryptographicFailure);
    expect(resultReasonOf(() => unwrapKey(KW, hex('0f0e0d0c0b0a09080706050403020100'), hex(wrapped)))).toBe(ResultReason.CryptographicFailure);
    expect(resultReasonOf(() => unwrapKey(KWP, hex(kek), hex(wrapped)))).toBe(ResultReason.CryptographicFailure);
  });

  it('refuses input KW cannot take, and modes that are not key wrap', () => {
    const kek = hex(vectors[0]!.kek);
    expect(resultReasonOf(() => wrapKey(KW, kek, hex('00112233445566')))).toBe(ResultReason.InvalidField);
    expect(resultReasonOf(() => wrapKey(KW, kek, hex('0011223344556677')))).toBe(ResultReason.InvalidField);
    expect(resultReasonOf(() => wrapKey(KW, hex('0011'), hex('00112233445566778899aabbccddeeff')))).toBe(ResultReason.InvalidField);
    expect(resultReasonOf(() => wrapModeOf(BlockCipherMode.GCM))).toBe(ResultReason.FeatureNotSupported);
    expect(resultReasonOf(() => wrapModeOf(undefined))).toBe(ResultReason.FeatureNotSupported);
    expect(wrapModeOf(KWP)).toBe(KWP);
  });
});
