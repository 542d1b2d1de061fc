import { randomBytes } from 'node:crypto';
import graphene from 'graphene-pk11';
import type { Module, SecretKey, Session, Slot } from 'graphene-pk11';
import { acquireModule, findSlot, login, releaseModule, withSession } from './module-registry.js';
import { ckrName, mapPkcs11Error } from './errors.js';
import type { Pkcs11Secrets, Pkcs11Settings } from './config.js';
import { runDiagnostics } from '../diagnostics.js';
import { bindPayload, unbindPayload } from '../shared/bound-payload.js';
import { encodeContext } from '../shared/context.js';
import { createRedactor } from '../shared/redact.js';
import { roundTripCheck } from '../shared/round-trip.js';
import { KeystoreError } from '../types.js';
import type { Redactor } from '../shared/redact.js';
import type { Diagnostics, DiagnosticStep, L1Connector, L1KeyMetadata, TestConnectionOptions, WrapContext } from '../types.js';

/** First byte of every blob: which mechanism made it, so a settings change can never misread old blobs. */
const FORMAT_GCM = 0x01;
const FORMAT_KWP = 0x02;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

interface KeyFacts {
  key: SecretKey;
  label: string;
  idHex: string;
  valueLen: number;
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
  encrypt: boolean;
  decrypt: boolean;
  wrap: boolean;
  unwrap: boolean;
  startDate?: Date;
  endDate?: Date;
}

/**
 * L1 in an HSM reached through PKCS#11 (HYOK). Default mechanism: single-part CKM_AES_GCM
 * C_Encrypt/C_Decrypt of the 32-byte L2 with the tenant context as AAD — one HSM call each way,
 * the context bound by the HSM itself, and the L2 never becomes an HSM object. Alternative
 * (`aes-key-wrap-pad`): C_WrapKey/C_UnwrapKey with CKM_AES_KEY_WRAP_PAD for HSM policies that
 * allow L1 only to wrap; the L2 (with the context digest appended, since AES-KW has no AAD)
 * exists briefly as an extractable session object and is destroyed right after.
 */
export class Pkcs11Connector implements L1Connector {
  readonly kind = 'pkcs11' as const;
  private readonly redact: Redactor;
  private module?: Module;
  private slot?: Slot;
  /** Verified key handle: only a key that passed the sensitivity and usage checks is cached. */
  private verified?: KeyFacts;
  private closed = false;

  constructor(
    private readonly settings: Pkcs11Settings,
    private readonly secrets: Pkcs11Secrets,
  ) {
    this.redact = createRedactor([secrets.pin]);
  }

  async describe(): Promise<L1KeyMetadata> {
    return this.guard('key-exists', async () => this.metadata(await this.lookupKey()));
  }

  async wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer> {
    if (plaintext.length === 0 || plaintext.length > 1024) throw new KeystoreError('invalid-config', 'plaintext must be 1..1024 bytes');
    const aad = encodeContext(context);
    return this.guard('round-trip', async () => {
      const facts = await this.usableKey();
      return withSession(this.settings.modulePath, this.slot!, this.settings.sessionPoolSize, (session) =>
        this.settings.mechanism === 'aes-gcm' ? gcmSeal(session, facts.key, plaintext, aad) : kwpWrap(session, facts.key, bindPayload(plaintext, context)),
      );
    });
  }

  async unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer> {
    const aad = encodeContext(context);
    return this.guard('round-trip', async () => {
      const facts = await this.usableKey();
      const format = wrapped[0];
      const expected = this.settings.mechanism === 'aes-gcm' ? FORMAT_GCM : FORMAT_KWP;
      if (format !== expected) {
        throw new KeystoreError('crypto-failure', `blob was not made with the configured mechanism ${this.settings.mechanism}`);
      }
      return withSession(this.settings.modulePath, this.slot!, this.settings.sessionPoolSize, async (session) =>
        format === FORMAT_GCM ? gcmOpen(session, facts.key, wrapped, aad) : unbindPayload(await kwpUnwrap(session, facts.key, wrapped), context),
      );
    });
  }

  async testConnection(options: TestConnectionOptions = {}): Promise<Diagnostics> {
    let facts: KeyFacts | undefined;
    const diagnostics = await runDiagnostics(
      {
        reachable: async () => {
          const slot = this.connect();
          const token = slot.getToken();
          return `${this.module!.libraryDescription.trim() || 'PKCS#11 library'} loaded; token "${token.label.trim()}" (${token.model.trim()}) present`;
        },
        authenticated: async () => {
          this.logIn();
          return 'logged in as the token user';
        },
        'key-exists': async () => {
          facts = await this.lookupKey();
          return `found secret key "${facts.label}"${facts.idHex ? ` (CKA_ID ${facts.idHex})` : ''}`;
        },
        enabled: async () => {
          assertValidNow(facts!);
          return facts!.startDate || facts!.endDate ? 'within its CKA_START_DATE/CKA_END_DATE' : 'no validity dates restrict the key';
        },
        usage: async () => {
          const note = this.assertUsable(facts!);
          this.verified = facts;
          return note;
        },
        'round-trip': () => roundTripCheck(this),
      },
      this.redact,
      options.onStep,
    );
    return facts ? { ...diagnostics, key: this.metadata(facts) } : diagnostics;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.verified = undefined;
    if (this.module) releaseModule(this.settings.modulePath);
    this.module = undefined;
  }

  private connect(): Slot {
    if (this.closed) throw new KeystoreError('internal', 'connector is closed');
    if (!this.module) this.module = acquireModule(this.settings.modulePath);
    this.slot ??= findSlot(this.module, this.settings);
    return this.slot;
  }

  private logIn(): void {
    login(this.settings.modulePath, this.connect(), this.secrets.pin);
  }

  /** The verified key for wrap/unwrap: looked up and checked once, then cached (fail closed on any check). */
  private async usableKey(): Promise<KeyFacts> {
    if (this.verified) return this.verified;
    const facts = await this.lookupKey();
    assertValidNow(facts);
    this.assertUsable(facts);
    this.verified = facts;
    return facts;
  }

  private async lookupKey(): Promise<KeyFacts> {
    this.logIn();
    return withSession(this.settings.modulePath, this.slot!, this.settings.sessionPoolSize, async (session) => {
      const template: graphene.ITemplate = { class: graphene.ObjectClass.SECRET_KEY, label: this.settings.keyLabel };
      if (this.settings.keyId) template.id = Buffer.from(this.settings.keyId, 'hex');
      const found = session.find(template);
      if (found.length === 0) {
        throw new KeystoreError('not-found', `no secret key labelled "${this.settings.keyLabel}"${this.settings.keyId ? ` with CKA_ID ${this.settings.keyId}` : ''} on the token`, 'key-exists');
      }
      if (found.length > 1) {
        throw new KeystoreError('invalid-config', `${found.length} secret keys are labelled "${this.settings.keyLabel}": set keyId to choose one`, 'key-exists');
      }
      const key = found.items(0).toType<graphene.SecretKey>();
      const attrs = key.getAttribute({
        keyType: null,
        id: null,
        sensitive: null,
        extractable: null,
        alwaysSensitive: null,
        neverExtractable: null,
        encrypt: null,
        decrypt: null,
        wrap: null,
        unwrap: null,
        valueLen: null,
      });
      const { startDate, endDate } = readValidity(session, key);
      if (attrs.keyType !== graphene.KeyType.AES) {
        throw new KeystoreError('wrong-usage', `key "${this.settings.keyLabel}" is not an AES key`, 'key-exists');
      }
      return {
        key,
        label: this.settings.keyLabel,
        idHex: attrs.id?.toString('hex') ?? '',
        valueLen: attrs.valueLen ?? 0,
        sensitive: attrs.sensitive === true,
        extractable: attrs.extractable === true,
        alwaysSensitive: attrs.alwaysSensitive === true,
        neverExtractable: attrs.neverExtractable === true,
        encrypt: attrs.encrypt === true,
        decrypt: attrs.decrypt === true,
        wrap: attrs.wrap === true,
        unwrap: attrs.unwrap === true,
        ...(startDate ? { startDate } : {}),
        ...(endDate ? { endDate } : {}),
      };
    });
  }

  /** Returns the passing message; throws insecure-key or wrong-usage. */
  private assertUsable(facts: KeyFacts): string {
    if (!facts.sensitive || facts.extractable) {
      const why = [!facts.sensitive && 'CKA_SENSITIVE is false', facts.extractable && 'CKA_EXTRACTABLE is true'].filter(Boolean).join(' and ');
      throw new KeystoreError('insecure-key', `refusing key "${facts.label}": ${why}, so its material could leave the HSM`, 'usage');
    }
    const [opA, opB, attrA, attrB] =
      this.settings.mechanism === 'aes-gcm'
        ? (['encrypt', 'decrypt', 'CKA_ENCRYPT', 'CKA_DECRYPT'] as const)
        : (['wrap', 'unwrap', 'CKA_WRAP', 'CKA_UNWRAP'] as const);
    const missing = [!facts[opA] && attrA, !facts[opB] && attrB].filter(Boolean);
    if (missing.length > 0) {
      throw new KeystoreError('wrong-usage', `key "${facts.label}" lacks ${missing.join(' and ')}, needed for ${this.settings.mechanism}`, 'usage');
    }
    const mechanismName = this.settings.mechanism === 'aes-gcm' ? 'AES_GCM' : 'AES_KEY_WRAP_PAD';
    if (!this.tokenSupports(mechanismName)) {
      throw new KeystoreError('wrong-usage', `the token does not offer CKM_${mechanismName}`, 'usage');
    }
    const history = facts.alwaysSensitive && facts.neverExtractable ? '' : ' (note: the key was not always sensitive/non-extractable: it may have existed in clear before)';
    return `sensitive, non-extractable AES-${facts.valueLen * 8} key with ${attrA}/${attrB}; CKM_${mechanismName} available${history}`;
  }

  private tokenSupports(name: string): boolean {
    const mechanisms = this.slot!.getMechanisms();
    for (let i = 0; i < mechanisms.length; i++) {
      if (mechanisms.items(i).name === name) return true;
    }
    return false;
  }

  private metadata(facts: KeyFacts): L1KeyMetadata {
    const usage = (['encrypt', 'decrypt', 'wrap', 'unwrap'] as const).filter((op) => facts[op]).map((op) => `CKA_${op.toUpperCase()}`);
    return {
      keyId: `${this.settings.tokenLabel ?? `slot#${this.settings.slotIndex}`}/${facts.label}${facts.idHex ? `#${facts.idHex}` : ''}`,
      state: isValidNow(facts) ? 'enabled' : 'disabled',
      algorithm: `AES-${facts.valueLen * 8}`,
      usage,
    };
  }

  /** Maps and redacts every failure; a vanished key handle clears the cache so the next call looks it up again. */
  private async guard<T>(step: DiagnosticStep, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const name = ckrName(error);
      if (name === 'CKR_KEY_HANDLE_INVALID' || name === 'CKR_OBJECT_HANDLE_INVALID' || name === 'CKR_TOKEN_NOT_PRESENT' || name === 'CKR_DEVICE_REMOVED') {
        this.verified = undefined;
        this.slot = undefined;
      }
      const mapped = mapPkcs11Error(error, step);
      const message = this.redact(mapped.message);
      return Promise.reject(message === mapped.message ? mapped : new KeystoreError(mapped.code, message, mapped.step, { cause: mapped.cause }));
    }
  }
}

const CKA_START_DATE = 0x110;
const CKA_END_DATE = 0x111;

/**
 * CKA_START_DATE/CKA_END_DATE read directly: graphene cannot request date attributes (it formats
 * the null template value) and its parser shifts the month. Empty dates mean "no restriction".
 */
function readValidity(session: Session, key: SecretKey): { startDate?: Date; endDate?: Date } {
  const read = (type: number): Date | undefined => {
    let value: unknown;
    try {
      value = key.lib.C_GetAttributeValue(session.handle, key.handle, [{ type }])[0]?.value;
    } catch (error) {
      // pkcs11js refuses an empty (unset) date with a TypeError: that is "no restriction".
      if (error instanceof TypeError) return undefined;
      throw error;
    }
    const text = Buffer.isBuffer(value) ? value.toString('ascii') : value instanceof Date ? '' : String(value ?? '');
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  };
  return { startDate: read(CKA_START_DATE), endDate: read(CKA_END_DATE) };
}

function isValidNow(facts: KeyFacts): boolean {
  const now = Date.now();
  return !(facts.startDate && now < facts.startDate.getTime()) && !(facts.endDate && now > facts.endDate.getTime() + 86_400_000);
}

function assertValidNow(facts: KeyFacts): void {
  if (!isValidNow(facts)) {
    const range = `${facts.startDate?.toISOString().slice(0, 10) ?? '…'} to ${facts.endDate?.toISOString().slice(0, 10) ?? '…'}`;
    throw new KeystoreError('disabled', `key "${facts.label}" is outside its validity period (${range})`, 'enabled');
  }
}

function once(fn: (cb: (error: Error | null, data: Buffer | null) => void) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => fn((error, data) => (error ? reject(error) : resolve(data ?? Buffer.alloc(0)))));
}

/** Single-part AES-GCM on the HSM's libuv worker, so a slow HSM does not block the event loop. */
async function gcmSeal(session: Session, key: SecretKey, plaintext: Buffer, aad: Buffer): Promise<Buffer> {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = session.createCipher({ name: 'AES_GCM', params: new graphene.AesGcm240Params(iv, aad, GCM_TAG_BYTES * 8) }, key);
  const sealed = await once((cb) => cipher.once(plaintext, Buffer.alloc(plaintext.length + GCM_TAG_BYTES), cb));
  return Buffer.concat([Buffer.of(FORMAT_GCM), iv, sealed]);
}

async function gcmOpen(session: Session, key: SecretKey, blob: Buffer, aad: Buffer): Promise<Buffer> {
  if (blob.length <= 1 + GCM_IV_BYTES + GCM_TAG_BYTES) throw new KeystoreError('crypto-failure', 'blob is too short');
  const iv = blob.subarray(1, 1 + GCM_IV_BYTES);
  const sealed = blob.subarray(1 + GCM_IV_BYTES);
  const decipher = session.createDecipher({ name: 'AES_GCM', params: new graphene.AesGcm240Params(Buffer.from(iv), aad, GCM_TAG_BYTES * 8) }, key);
  const out = Buffer.alloc(sealed.length);
  try {
    const plain = await once((cb) => decipher.once(sealed, out, cb));
    return Buffer.from(plain);
  } catch (error) {
    const name = ckrName(error);
    if (name === 'CKR_GENERAL_ERROR' || name === 'CKR_FUNCTION_FAILED') {
      // C_DecryptInit accepted key and parameters, so a failing C_Decrypt is the tag check: SoftHSM
      // (and some vendors) report it this way instead of CKR_ENCRYPTED_DATA_INVALID/CKR_AEAD_DECRYPT_FAILED.
      throw new KeystoreError('crypto-failure', `the blob is corrupt or bound to another tenant, purpose or L2 version (${name})`, 'round-trip', { cause: error });
    }
    throw error;
  } finally {
    out.fill(0);
  }
}

async function kwpWrap(session: Session, key: SecretKey, payload: Buffer): Promise<Buffer> {
  let temp: graphene.SecretKey | undefined;
  try {
    // A session object (gone when the session closes) that exists only to be wrapped.
    temp = session
      .create({
        class: graphene.ObjectClass.SECRET_KEY,
        keyType: graphene.KeyType.GENERIC_SECRET,
        token: false,
        private: true,
        sensitive: false,
        extractable: true,
        value: payload,
      })
      .toType<graphene.SecretKey>();
    const wrapped = await once((cb) => session.wrapKey({ name: 'AES_KEY_WRAP_PAD', params: null }, key, temp!, cb));
    return Buffer.concat([Buffer.of(FORMAT_KWP), wrapped]);
  } finally {
    payload.fill(0);
    destroyQuietly(temp);
  }
}

async function kwpUnwrap(session: Session, key: SecretKey, blob: Buffer): Promise<Buffer> {
  let temp: graphene.SecretKey | undefined;
  try {
    temp = await new Promise<graphene.SecretKey>((resolve, reject) =>
      session.unwrapKey(
        { name: 'AES_KEY_WRAP_PAD', params: null },
        key,
        blob.subarray(1),
        { class: graphene.ObjectClass.SECRET_KEY, keyType: graphene.KeyType.GENERIC_SECRET, token: false, private: true, sensitive: false, extractable: true },
        (error, unwrapped) => (error ? reject(error) : resolve(unwrapped!.toType<graphene.SecretKey>())),
      ),
    );
    return temp.getAttribute({ value: null }).value ?? Buffer.alloc(0);
  } catch (error) {
    const name = ckrName(error);
    if (name === 'CKR_FUNCTION_FAILED' || name === 'CKR_GENERAL_ERROR') {
      // Several HSMs (SoftHSM among them) report a failed AES-KW integrity check this way.
      throw new KeystoreError('crypto-failure', `the wrapped blob is corrupt or from another key (${name})`, 'round-trip', { cause: error });
    }
    throw error;
  } finally {
    destroyQuietly(temp);
  }
}

function destroyQuietly(key: graphene.SecretKey | undefined): void {
  try {
    key?.destroy();
  } catch {
    // a session object also disappears with its session
  }
}
