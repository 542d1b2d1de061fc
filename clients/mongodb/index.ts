export { FieldEncryption, FieldEncryptionError, type FieldEncryptionOptions } from './field-encryption.js';
export { EncryptedCollection } from './encrypted-collection.js';
export { PrefetchingKeySource, type PrefetchOptions } from './prefetching-key-source.js';
export { KmipKeySource, KeyUnavailableError, EPHEMERAL_ATTRIBUTE, type DataKey, type KeySource } from './key-source.js';
export { FieldDecryptionError } from './field-cipher.js';
export { EnvelopeError, ENVELOPE_SUBTYPE } from './envelope.js';
