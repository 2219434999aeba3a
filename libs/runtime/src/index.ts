export * from './bootstrap.js';
export * from './health.handler.js';
export * from './abortable.js';
