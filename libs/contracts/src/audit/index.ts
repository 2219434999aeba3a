export * from './audit.contracts.js';
export * from './audit.schemas.js';
