export * from './webhook.contracts.js';
export * from './webhook.schemas.js';
export * from './webhook-target.schemas.js';
