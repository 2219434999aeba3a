export * from './health.contracts.js';
