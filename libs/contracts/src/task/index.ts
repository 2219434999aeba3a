export * from './task.contracts.js';
export * from './task-list.contracts.js';
export * from './task.events.js';
export * from './task.schemas.js';
export * from './replay.schemas.js';
export * from './task-submission.schemas.js';
export * from './replay.contracts.js';
export * from './thread.contracts.js';
