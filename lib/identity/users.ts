import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/mongo.js';

export type Role = 'admin' | 'auditor';

/** Seals and opens small secrets under the platform key (lib/secrets SecretBox fits). */
export interface Sealer {
  seal(plaintext: Buffer | string, aad: string): string;
  open(sealed: string, aad: string): Buffer;
}

export interface UserRecord {
  _id: string;
  tenantId: string;
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: Date;
  /** The generated first password, sealed, until it has been handed over once. */
  pendingInitialPassword?: string;
}

const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(password: BinaryLike, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, SCRYPT.keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = encoded.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Compared against when the user does not exist, so a wrong username costs the same time. */
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

const userId = (tenantId: string, username: string) => `${tenantId}/${username}`;
const initialPasswordAad = (tenantId: string, username: string) => `initial-password:${tenantId}:${username}`;

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export class UserRepository {
  readonly collection: Collection<UserRecord>;

  constructor(db: Db, private readonly sealer: Sealer) {
    this.collection = db.collection<UserRecord>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ tenantId: 1 });
  }

  /**
   * Creates a user with a generated password unless it exists. The password is kept sealed
   * until it is handed over once, so a retry after a crash loses nothing.
   */
  async createIfAbsent(tenantId: string, username: string, role: Role, now = new Date()): Promise<{ created: boolean }> {
    const password = generatePassword();
    const record: UserRecord = {
      _id: userId(tenantId, username),
      tenantId,
      username,
      role,
      passwordHash: await hashPassword(password),
      createdAt: now,
      pendingInitialPassword: this.sealer.seal(password, initialPasswordAad(tenantId, username)),
    };
    try {
      await this.collection.insertOne(record);
      return { created: true };
    } catch (error) {
      if (isDuplicateKeyError(error)) return { created: false };
      throw error;
    }
  }

  /** Reads the pending initial password without handing it over (delivery may still fail). */
  async peekInitialPassword(tenantId: string, username: string): Promise<string | undefined> {
    const user = await this.collection.findOne({ _id: userId(tenantId, username) });
    if (!user?.pendingInitialPassword) return undefined;
    return this.sealer.open(user.pendingInitialPassword, initialPasswordAad(tenantId, username)).toString('utf8');
  }

  /** Forgets the initial password once it has been delivered. */
  async clearInitialPassword(tenantId: string, username: string): Promise<void> {
    await this.collection.updateOne({ _id: userId(tenantId, username) }, { $unset: { pendingInitialPassword: '' } });
  }

  /** Returns the initial password exactly once, then forgets it. */
  async takeInitialPassword(tenantId: string, username: string): Promise<string | undefined> {
    const before = await this.collection.findOneAndUpdate(
      { _id: userId(tenantId, username), pendingInitialPassword: { $exists: true } },
      { $unset: { pendingInitialPassword: '' } },
      { returnDocument: 'before' },
    );
    if (!before?.pendingInitialPassword) return undefined;
    return this.sealer.open(before.pendingInitialPassword, initialPasswordAad(tenantId, username)).toString('utf8');
  }

  /** The user when the password matches; null otherwise, in about the same time either way. */
  async authenticate(tenantId: string, username: string, password: string): Promise<UserRecord | null> {
    const user = await this.collection.findOne({ _id: userId(tenantId, username) });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    return user && ok ? user : null;
  }

  async setPassword(tenantId: string, username: string, password: string): Promise<void> {
    await this.collection.updateOne(
      { _id: userId(tenantId, username) },
      { $set: { passwordHash: await hashPassword(password) }, $unset: { pendingInitialPassword: '' } },
    );
  }

  async deleteTenant(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }
}
