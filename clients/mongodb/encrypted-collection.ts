import type { Collection, Document, Filter, FindOptions, InsertManyResult, InsertOneResult, OptionalUnlessRequiredId } from 'mongodb';
import type { FieldEncryption } from './field-encryption.js';

/**
 * A MongoDB collection that encrypts on write and decrypts on read through FieldEncryption.
 * Filters on deterministic fields are rewritten to their encrypted form; a filter on a
 * randomized field cannot match anything and is refused by FieldEncryption.
 */
export class EncryptedCollection<T extends Document> {
  constructor(
    readonly collection: Collection<T>,
    private readonly encryption: FieldEncryption,
  ) {}

  async insertOne(document: T): Promise<InsertOneResult<T>> {
    const encrypted = await this.encryption.encryptDocument(document);
    return this.collection.insertOne(encrypted as OptionalUnlessRequiredId<T>);
  }

  /** One KMIP round trip for the keys of all documents, then one insert. */
  async insertMany(documents: readonly T[]): Promise<InsertManyResult<T>> {
    const encrypted = await this.encryption.encryptDocuments(documents);
    return this.collection.insertMany(encrypted as OptionalUnlessRequiredId<T>[]);
  }

  async find(filter: Filter<T> = {}, options?: FindOptions): Promise<T[]> {
    const stored = await this.collection.find(await this.encryptFilter(filter), options).toArray();
    return this.encryption.decryptDocuments(stored as T[]);
  }

  async findOne(filter: Filter<T> = {}): Promise<T | null> {
    const [found] = await this.find(filter, { limit: 1 });
    return found ?? null;
  }

  /** The raw stored documents, as anyone reading the database sees them. */
  findRaw(filter: Filter<T> = {}): Promise<Document[]> {
    return this.collection.find(filter).toArray();
  }

  private async encryptFilter(filter: Filter<T>): Promise<Filter<T>> {
    const rewritten: Document = { ...filter };
    for (const field of this.encryption.deterministic) {
      const value = rewritten[field] as unknown;
      if (value !== undefined && (typeof value !== 'object' || value === null || !Object.keys(value).some((k) => k.startsWith('$')))) {
        rewritten[field] = await this.encryption.queryValue(field, value);
      }
    }
    return rewritten as Filter<T>;
  }
}
