export * from './cron.js';
export * from './schedule.contracts.js';
export * from './schedule.schemas.js';
