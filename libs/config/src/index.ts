export * from './base.env.js';
export * from './config.tokens.js';
export * from './load-config.js';
