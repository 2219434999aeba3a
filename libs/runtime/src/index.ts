export * from './bootstrap.js';
export * from './health.handler.js';
export * from './abortable.js';
export * from './service-shutdown.js';
export * from './optional-redis.js';
export * from './database.js';
export * from './json-schema.compiler.js';
export * from './canonical-json.js';
