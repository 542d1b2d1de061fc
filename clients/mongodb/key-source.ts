import { Tag } from '../../kmip-server/codec/tags.js';
import { bool } from '../../kmip-server/codec/types.js';
import { ObjectType } from '../../kmip-server/codec/enums.js';
import type { KmipAttribute } from '../../kmip-server/protocol/attributes.js';
import { zeroize } from '../../lib/crypto/zero.js';
import { ops, type KmipClient, type ManagedObject } from '../kmip/index.js';

/** A data key as the field cipher uses it. The holder zeroes `material` when done. */
export interface DataKey {
  id: string;
  material: Buffer;
}

/** Where field keys come from: in production OpenKCM's KMIP server (KmipKeySource). */
export interface KeySource {
  /** New ephemeral keys, one per document write. */
  freshKeys(count: number): Promise<DataKey[]>;
  /** Re-derives keys by id (decryption). */
  keys(ids: readonly string[]): Promise<Map<string, Buffer>>;
  /** A persistent key identified by name, created on first use (deterministic fields). */
  namedKey(name: string): Promise<DataKey>;
}

/**
 * Asks OpenKCM for an ephemeral key: derived on the server from the tenant key, never stored;
 * its identifier carries what the server needs to derive it again.
 */
export const EPHEMERAL_ATTRIBUTE: KmipAttribute = {
  name: 'x-OpenKCM-Ephemeral',
  tag: undefined,
  value: bool(Tag.AttributeValue, true),
};

/** Batch items per KMIP message; keeps messages far below the server's size limit. */
const MAX_BATCH_ITEMS = 100;

export class KeyUnavailableError extends Error {
  override readonly name = 'KeyUnavailableError';
}

export class KmipKeySource implements KeySource {
  constructor(private readonly client: KmipClient) {}

  async freshKeys(count: number): Promise<DataKey[]> {
    const keys: DataKey[] = [];
    for (let offset = 0; offset < count; offset += MAX_BATCH_ITEMS / 2) {
      const n = Math.min(MAX_BATCH_ITEMS / 2, count - offset);
      // Create then Get, pairwise in one message: Get uses the ID placeholder Create set.
      const batch = Array.from({ length: n }, () => [ops.create({ attributes: [EPHEMERAL_ATTRIBUTE] }), ops.get()]).flat();
      const results = await this.client.batch(batch);
      for (let i = 0; i < results.length; i += 2) {
        // A refused Create stops the batch: its reason (e.g. the L1 key is revoked) is the one to report.
        const create = results[i]!;
        keys.push(toDataKey(create.ok ? results[i + 1]! : create));
      }
    }
    return keys;
  }

  async keys(ids: readonly string[]): Promise<Map<string, Buffer>> {
    const unique = [...new Set(ids)];
    const out = new Map<string, Buffer>();
    try {
      for (let offset = 0; offset < unique.length; offset += MAX_BATCH_ITEMS) {
        const chunk = unique.slice(offset, offset + MAX_BATCH_ITEMS);
        const results = await this.client.batch(chunk.map((id) => ops.get(id)));
        results.forEach((result) => {
          const key = toDataKey(result);
          out.set(key.id, key.material);
        });
      }
      return out;
    } catch (error) {
      for (const material of out.values()) zeroize(material);
      throw error;
    }
  }

  async namedKey(name: string): Promise<DataKey> {
    const nameAttribute = ops.nameAttribute(name);
    const [existing] = await this.client.run(ops.locate({ attributes: [nameAttribute], maximumItems: 1 }));
    if (existing) return toDataKey({ ok: true, value: await this.client.get(existing) });
    const created = await this.client.create({ name });
    await this.client.activate(created.uniqueIdentifier);
    return toDataKey({ ok: true, value: await this.client.get(created.uniqueIdentifier) });
  }
}

type Result = { ok: true; value: unknown } | { ok: false; error: Error };

function toDataKey(result: Result): DataKey {
  if (!result.ok) throw new KeyUnavailableError(`OpenKCM refused the key request: ${result.error.message}`);
  const object = result.value as ManagedObject;
  if (object.objectType !== ObjectType.SymmetricKey || !object.keyMaterial || object.keyMaterial.length !== 32) {
    throw new KeyUnavailableError('OpenKCM returned something other than an AES-256 key');
  }
  // Copy out of the response buffer so the caller owns (and zeroes) exactly this memory.
  const material = Buffer.from(object.keyMaterial);
  zeroize(object.keyMaterial);
  return { id: object.uniqueIdentifier, material };
}
