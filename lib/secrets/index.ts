export { loadOrCreatePlatformKey, parsePlatformKeys, PlatformKeyError, PLATFORM_KEY_BYTES } from './platform-key.js';
export type { PlatformKeys } from './platform-key.js';
export { SecretBox, SecretBoxError, platformKeyId } from './secret-box.js';
export type { SecretBoxErrorCode } from './secret-box.js';
