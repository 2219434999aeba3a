export * from './agent.contracts.js';
export * from './agent.schemas.js';
