/** Overwrites key material in place. Call it as soon as a buffer holding a key is no longer needed. */
export function zeroize(...buffers: Array<Buffer | Uint8Array | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0);
}
