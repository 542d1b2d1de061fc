export * from './errors.js';
export * from './payload.js';
export * from './messages.js';
export * from './attributes.js';
export * from './version-filter.js';
export * from './dispatch.js';
