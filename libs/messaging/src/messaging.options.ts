import type { ServiceName } from '@switchboard/contracts';

export interface NatsSettings {
  servers: string[];
  user?: string | undefined;
  pass?: string | undefined;
  token?: string | undefined;
}

export interface MessagingOptions {
  service: ServiceName;
  instance: string;
  nats: NatsSettings;
}

export const MESSAGING_OPTIONS = Symbol.for('switchboard.messaging-options');
export const NATS_CONNECTION = Symbol.for('switchboard.nats-connection');

/** Connection options shared by our own client and Nest's NATS server (same auth, reconnect policy). */
export function natsConnectionOptions(name: string, nats: NatsSettings) {
  return {
    servers: nats.servers,
    name,
    ...(nats.user ? { user: nats.user } : {}),
    ...(nats.pass ? { pass: nats.pass } : {}),
    ...(nats.token ? { token: nats.token } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    // nats.js otherwise builds an Error (a stack trace) for every request up front, only to enrich a
    // failure that messaging.errors.ts turns into a DomainError anyway: measurable per request.
    noAsyncTraces: true,
  };
}
