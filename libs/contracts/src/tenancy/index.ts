export * from './quota.schemas.js';
export * from './quota.errors.js';
