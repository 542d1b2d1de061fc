import { MongoClient, type Db } from 'mongodb';

/**
 * The MongoDB connection every process shares. Domain modules own their collections and
 * create their own indexes (see each module's `ensure*Indexes`). FerretDB v1 (the embedded
 * default) has no transactions, change streams or TTL indexes: code must not rely on them.
 */
export interface Store {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

export async function connectStore(uri: string, database: string): Promise<Store> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    appName: 'openkcm',
  });
  await client.connect();
  return {
    client,
    db: client.db(database),
    close: () => client.close(),
  };
}

/** True for the duplicate-key error a unique index raises; used for idempotent inserts. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
