// The gateway's own HTTP answers, which no NATS command carries (the rest of its answers are the
// commands' responses): its error envelope, /orchestrate's answers, the console's routes. The gateway
// builds them and its OpenAPI document describes them from these schemas; @switchboard/client types
// them from here.
export * from './http-errors.schemas.js';
export * from './task-answers.schemas.js';
export * from './session.schemas.js';
export * from './operations.schemas.js';
export * from './resource-answers.schemas.js';
