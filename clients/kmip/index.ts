export { KmipClient, type KmipClientOptions, type BatchResult } from './client.js';
export { KmipConnection, type KmipTlsOptions } from './connection.js';
export * from './errors.js';
export * as ops from './operations.js';
export type * from './operations.js';
