export * from './a2a.contracts.js';
export * from './a2a.schemas.js';
