export * from './base.env.js';
export * from './config.tokens.js';
export * from './load-config.js';
export * from './nats.env.js';
export * from './jetstream.env.js';
export * from './jid.js';
export * from './service-map.js';
export * from './tenants-file.js';
