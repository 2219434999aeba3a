export * from './webhook.contracts.js';
export * from './webhook.schemas.js';
export * from './webhook-target.schemas.js';
export * from './a2a-push.contracts.js';
