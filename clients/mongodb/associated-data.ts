import { BSON, ObjectId } from 'mongodb';

/**
 * The associated data bound into every encrypted field: the BSON document {v: 1, ns, f, id?}, so
 * a ciphertext moved to another namespace, field or (randomized mode) document fails to decrypt.
 * These bytes are part of the stored format and never change. They are built from a cached
 * prefix per field, so only the document id is encoded per field: BSON.serialize of the whole
 * document cost 0.8 µs a field, a tenth of the field's AES-GCM.
 */
export class AssociatedData {
  /** Per field: the elements v, ns and f, without the document's length and terminator. */
  private readonly heads = new Map<string, Buffer>();

  constructor(private readonly namespace: string) {}

  /** The associated data of `field`, with `documentId` bound in unless it is undefined. */
  of(field: string, documentId: unknown): Buffer {
    const head = this.head(field);
    const idLength = documentId === undefined ? 0 : documentId instanceof ObjectId ? OBJECT_ID_ELEMENT_BYTES : -1;
    const idElement = idLength < 0 ? elements(BSON.serialize({ id: documentId })) : undefined;
    const out = Buffer.allocUnsafe(4 + head.length + (idElement?.length ?? idLength) + 1);
    out.writeInt32LE(out.length, 0);
    let offset = 4 + head.copy(out, 4);
    if (idElement) offset += idElement.copy(out, offset);
    else if (documentId instanceof ObjectId) {
      offset += ID_OBJECT_ID_PREFIX.copy(out, offset);
      out.set(documentId.id, offset);
      offset += 12;
    }
    out[offset] = 0;
    return out;
  }

  private head(field: string): Buffer {
    let head = this.heads.get(field);
    if (!head) {
      head = elements(BSON.serialize({ v: 1, ns: this.namespace, f: field }));
      this.heads.set(field, head);
    }
    return head;
  }
}

/** Element type 0x07 (ObjectId) and the key "id". */
const ID_OBJECT_ID_PREFIX = Buffer.from([0x07, 0x69, 0x64, 0x00]);
const OBJECT_ID_ELEMENT_BYTES = ID_OBJECT_ID_PREFIX.length + 12;

/** A BSON document's elements: the bytes between its int32 length and its terminating 0. */
function elements(document: Uint8Array): Buffer {
  return Buffer.from(document.subarray(4, document.length - 1));
}
