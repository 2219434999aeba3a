export * from './tool.contracts.js';
export * from './tool.schemas.js';
export * from './tools.events.js';
export * from './authorization.contracts.js';
export * from './tools.catalogue.js';
export * from './calculator.grammar.js';
export * from './tool-refusal.js';
export * from './tool-catalogue.schemas.js';
