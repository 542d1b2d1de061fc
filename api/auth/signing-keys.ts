import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Collection, Db } from 'mongodb';
import type { Sealer } from '../../lib/identity/users.js';
import { isDuplicateKeyError } from '../../lib/store/mongo.js';

/**
 * The built-in issuer's ES256 key pair. It lives in the store, the private half sealed under
 * the platform key, so every API instance signs with the same key and a copy of the database
 * alone cannot mint tokens. Created on first use; concurrent first starts collide on the fixed
 * `_id` and all end up with the winner's key.
 */
export interface SigningKeyRecord {
  _id: 'jwt-es256';
  kid: string;
  publicJwk: JWK;
  sealedPrivateJwk: string;
  createdAt: Date;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

const KEY_ID = 'jwt-es256' as const;
const aad = (kid: string) => `api-jwt-signing-key:${kid}`;

export class SigningKeyRepository {
  readonly collection: Collection<SigningKeyRecord>;

  constructor(
    db: Db,
    private readonly sealer: Sealer,
  ) {
    this.collection = db.collection<SigningKeyRecord>('apiSigningKeys');
  }

  async loadOrCreate(now = new Date()): Promise<SigningKey> {
    const existing = await this.collection.findOne({ _id: KEY_ID });
    if (existing) return this.open(existing);
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const privateJwk = JSON.stringify(await exportJWK(privateKey));
    const record: SigningKeyRecord = {
      _id: KEY_ID,
      kid,
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
      sealedPrivateJwk: this.sealer.seal(privateJwk, aad(kid)),
      createdAt: now,
    };
    try {
      await this.collection.insertOne(record);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const winner = await this.collection.findOne({ _id: KEY_ID });
      if (!winner) throw error;
      return this.open(winner);
    }
    return this.open(record);
  }

  private async open(record: SigningKeyRecord): Promise<SigningKey> {
    const plain = this.sealer.open(record.sealedPrivateJwk, aad(record.kid));
    try {
      const privateKey = (await importJWK(JSON.parse(plain.toString('utf8')) as JWK, 'ES256')) as CryptoKey;
      const publicKey = (await importJWK(record.publicJwk, 'ES256')) as CryptoKey;
      return { kid: record.kid, privateKey, publicKey, publicJwk: record.publicJwk };
    } finally {
      plain.fill(0);
    }
  }
}
