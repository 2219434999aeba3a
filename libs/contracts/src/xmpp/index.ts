export * from './xmpp.contracts.js';
export * from './xmpp.schemas.js';
