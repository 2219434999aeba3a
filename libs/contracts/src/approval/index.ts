export * from './approval.contracts.js';
export * from './approval.schemas.js';
