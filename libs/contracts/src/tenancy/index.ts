export * from './quota.schemas.js';
export * from './quota.errors.js';
export * from './tenant-settings.schemas.js';
export * from './tenant-rules.events.js';
