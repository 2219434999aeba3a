import { type Authenticator, credsAuthenticator } from '@nats-io/transport-node';
import { inboxPrefix, type NatsIdentity, type ServiceName } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { nkeyAuthenticatorNative } from './nkey.authenticator.js';

export interface NatsSettings {
  servers: string[];
  user?: string | undefined;
  pass?: string | undefined;
  token?: string | undefined;
  /** A credentials file (user JWT + NKey seed), read again at every (re)connect. */
  credsFile?: string | undefined;
  /** A file holding a user NKey seed, read again at every (re)connect. */
  nkeySeedFile?: string | undefined;
  /** Present: TLS is required; the files (all optional) verify the server and identify this client. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string } | undefined;
}

/** A value per stream: `streams` for the named ones, `default` for the others. */
export interface PerStreamValue<T> {
  default?: T | undefined;
  streams?: Readonly<Record<string, T>> | undefined;
}

/**
 * The streams' replicas and limits as configured (JETSTREAM_*): only what the configuration sets. A
 * value given here is applied to new streams and to existing ones; one left out applies to new streams
 * only (its default), and an existing stream keeps its own (see stream-reconcile.ts).
 */
export interface StreamLimits {
  /** Replicas of every stream (default 1). */
  replicas?: number | undefined;
  /** Largest size in bytes, -1 unlimited (default DEFAULT_STREAM_MAX_BYTES). */
  maxBytes?: PerStreamValue<number> | undefined;
  /** Longest a message is kept in ms, 0 unlimited (default the contract's maxAgeMs). */
  maxAgeMs?: PerStreamValue<number> | undefined;
}

export interface MessagingOptions {
  service: ServiceName;
  instance: string;
  nats: NatsSettings;
  /** Stream replicas and limits (JETSTREAM_*); absent: every stream's defaults, nothing enforced. */
  jetstream?: StreamLimits | undefined;
  /**
   * The most a request or publish waits for a connection that is down or not answering before it
   * fails UPSTREAM_UNAVAILABLE (NATS_CONNECTION_WAIT_MS). Absent: as long as the request's own timeout
   * (a service waits out a NATS restart within its work's budget; an HTTP edge should not).
   */
  connectionWaitMs?: number | undefined;
  /**
   * How often this process, calling a `liveness: 'heartbeat'` command, asks the responder to beat
   * (the `x-sb-heartbeat-interval` header; the responder follows it), taking it for gone after
   * STREAM_HEARTBEAT_MISSES silent intervals (NATS_COMMAND_HEARTBEAT_MS). Default COMMAND_HEARTBEAT_MS.
   */
  commandHeartbeatMs?: number | undefined;
  /**
   * How long each pull of a replay (JetStreamService.replay) waits on the server, at least 1000:
   * nats.js expects a server heartbeat every half of it and recreates a replay consumer the server
   * dropped after two missed ones. Default REPLAY_PULL_EXPIRES_MS (5 s); shorter notices a dropped
   * consumer sooner at the cost of more pull requests while a replay idles.
   */
  replayPullExpiresMs?: number | undefined;
}

export const MESSAGING_OPTIONS = Symbol.for('switchboard.messaging-options');
export const NATS_CONNECTION = Symbol.for('switchboard.nats-connection');
/** The process's one ConnectionWatch of NATS_CONNECTION (status events and probes). */
export const CONNECTION_WATCH = Symbol.for('switchboard.nats-connection-watch');

const USER_SEED = /\bSU[A-Z2-7]{56}\b/;

/** The seed in an NKey seed file (the file may hold comments or a trailing newline around it). */
function seedFrom(file: string): string {
  const seed = USER_SEED.exec(readFileSync(file, 'utf8'))?.[0];
  if (!seed) throw new Error(`${file} holds no user NKey seed`);
  return seed;
}

/** Credentials files and seeds are read at each connect, so a rotated file needs no restart. */
function authenticator(nats: NatsSettings): { authenticator?: Authenticator } {
  if (nats.credsFile) {
    const file = nats.credsFile;
    return { authenticator: credsAuthenticator(() => readFileSync(file)) };
  }
  if (nats.nkeySeedFile) {
    const file = nats.nkeySeedFile;
    return { authenticator: nkeyAuthenticatorNative(() => seedFrom(file)) };
  }
  return {};
}

/**
 * Connection options shared by every connection a process opens (our client, Nest's NATS server, the
 * operator tools): the same identity, TLS and reconnect policy, and replies on the identity's own
 * inboxes (`_INBOX.<identity>.…`), the only ones its NATS permissions let it read.
 */
export function natsConnectionOptions(name: string, nats: NatsSettings, identity?: NatsIdentity) {
  return {
    servers: nats.servers,
    name,
    ...(nats.user ? { user: nats.user } : {}),
    ...(nats.pass ? { pass: nats.pass } : {}),
    ...(nats.token ? { token: nats.token } : {}),
    ...authenticator(nats),
    ...(nats.tls ? { tls: { ...nats.tls } } : {}),
    ...(identity ? { inboxPrefix: inboxPrefix(identity) } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    // nats.js otherwise builds an Error (a stack trace) for every request up front, only to enrich a
    // failure that messaging.errors.ts turns into a DomainError anyway: measurable per request.
    noAsyncTraces: true,
  };
}
