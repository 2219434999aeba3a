export * from './evaluation.contracts.js';
export * from './evaluation.schemas.js';
