/** Why a TTLV byte sequence was rejected. Stable strings: tests and metrics key on them. */
export type TtlvDecodeProblem =
  | 'truncated'
  | 'bad-tag'
  | 'bad-type'
  | 'bad-length'
  | 'bad-padding'
  | 'bad-value'
  | 'too-deep'
  | 'too-large'
  | 'trailing-bytes'
  | 'not-a-structure';

/**
 * The only error the decoder and framer throw. `offset` is the byte offset (from the start of
 * the buffer handed to the decoder, or of the stream for the framer) of the item at fault;
 * `tag` is that item's tag when it could be read. Never carries item values: they may be keys.
 */
export class TtlvDecodeError extends Error {
  override readonly name = 'TtlvDecodeError';
  constructor(
    readonly problem: TtlvDecodeProblem,
    readonly offset: number,
    readonly tag: number | undefined,
    detail: string,
  ) {
    super(
      `TTLV ${problem} at offset ${offset}${tag === undefined ? '' : ` (tag 0x${tag.toString(16).padStart(6, '0')})`}: ${detail}`,
    );
  }
}

/** Thrown by the encoder for a tree that cannot be written (a programming error, not input). */
export class TtlvEncodeError extends Error {
  override readonly name = 'TtlvEncodeError';
  constructor(
    readonly tag: number,
    detail: string,
  ) {
    super(`cannot encode tag 0x${tag.toString(16).padStart(6, '0')}: ${detail}`);
  }
}
