import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bareJid, type Jid, parseJid } from '@switchboard/config';
import type { ServiceMap } from '@switchboard/config';
import type { XmppApprover } from './xmpp-approvers.js';
import type { XmppBridgeEnv } from './xmpp-bridge.env.js';

/** XMPP_BRIDGE_STANZA_LIMIT_BYTES when unset: Prosody's default c2s_stanza_size_limit. */
export const DEFAULT_STANZA_LIMIT_BYTES = 262_144;

/** XMPP_BRIDGE_MAX_BODY_BYTES when unset (before any NATS limit). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** DI token of the resolved BridgeSettings. */
export const BRIDGE_SETTINGS = Symbol.for('switchboard.xmpp-bridge.settings');

export type TlsMode = 'starttls' | 'direct' | 'off';
export type Dialect = 'xep' | 'slixmpp';

/** Everything the XMPP side needs to log in, resolved once from the validated environment. */
export interface XmppSettings {
  jid: Jid;
  /** `user@domain` */
  bare: string;
  password: string;
  domain: string;
  host: string;
  port: number;
  tls: TlsMode;
  /** Where each setting came from, for the doctor's report (e.g. `AZTM_HOST`, `XMPP_PORT`, `default`). */
  sources: Record<'host' | 'port' | 'domain' | 'tls', string>;
  validateCert: boolean;
  ca?: string;
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  timeoutMs: number;
  /** The TCP connect's own deadline (within timeoutMs). */
  connectTimeoutMs: number;
  resource: string;
  keepaliveMs: number;
  reconnect: { initialMs: number; maxMs: number };
  /** The server's stanza size limit when it does not advertise one (XEP-0478); default 262144. */
  stanzaLimitBytes?: number;
}

/** Both roles of the bridge: carrying the platform's requests out, and serving requests in. */
export interface BridgeSettings {
  xmpp: XmppSettings;
  serverMode: boolean;
  natsCommands: boolean;
  serviceMap: ServiceMap;
  httpTarget: URL;
  /** A unix socket the target is reached through (instead of the URL's host and port). */
  httpTargetSocket?: string;
  /** Lower-case bare JIDs, or `*@domain`. */
  allowedJids: readonly string[];
  /** AZTM_SERVER_MODE asked for server mode, but nobody is allowed to use it (so it is off). */
  serverModeIdle: boolean;
  inlineMaxBytes: number;
  chunkBytes: number;
  maxBodyBytes: number;
  /** Whether XMPP_BRIDGE_MAX_BODY_BYTES was set (a NATS limit below it is then worth a warning). */
  maxBodyBytesSet: boolean;
  targetTimeoutMs: number;
  /** Longest silence inside a streamed response body. */
  streamIdleMs: number;
  /** Interval of the heartbeat parts of a streamed response on NATS. */
  streamHeartbeatMs: number;
  presenceWaitMs: number;
  dialect: Dialect;
  xmppLogLevel: string;
  /** XMPP_APPROVERS: the JIDs that decide approvals (empty: the feature is off). */
  approvers: readonly XmppApprover[];
}

/** Derives the settings; the schema has already refused every invalid combination. */
export function resolveBridgeSettings(
  env: XmppBridgeEnv,
  argv: readonly string[] = [],
): BridgeSettings {
  const domainSetting = env.AZTM_DOMAIN ?? env.XMPP_DOMAIN;
  const id = (env.AZTM_JID ?? env.AZTM_USERID) as string;
  const jid = parseJid(id.includes('@') ? id : `${id}@${domainSetting}`) as Jid;
  const portSetting = env.AZTM_PORT ?? env.XMPP_PORT;
  const tls: TlsMode =
    env.AZTM_TLS === 'auto' ? (portSetting === 5223 ? 'direct' : 'starttls') : env.AZTM_TLS;
  const port = portSetting ?? (tls === 'direct' ? 5223 : 5222);
  const host = env.AZTM_HOST ?? env.XMPP_HOST ?? jid.domain;
  // Nobody may call in unless named: SERVICE_MAP lists whom we call, not who may call us (for the
  // platform's bridge that would hand its peers the gateway).
  const allowedJids = env.XMPP_BRIDGE_ALLOWED_JIDS ?? [];
  const serverModeAsked = env.AZTM_SERVER_MODE && !argv.includes('--no-server-mode');
  const serverMode = serverModeAsked && allowedJids.length > 0;
  const timeoutMs = Math.round(env.AZTM_XMPP_TIMEOUT * 1000);
  const resource =
    jid.resource ?? env.XMPP_BRIDGE_RESOURCE ?? `switchboard-${randomBytes(4).toString('hex')}`;
  return {
    xmpp: {
      jid: { local: jid.local, domain: jid.domain, resource },
      bare: bareJid(jid),
      password: env.AZTM_PASSWORD,
      domain: jid.domain,
      host,
      port,
      tls,
      sources: {
        host: env.AZTM_HOST ? 'AZTM_HOST' : env.XMPP_HOST ? 'XMPP_HOST' : 'JID domain',
        port: env.AZTM_PORT ? 'AZTM_PORT' : env.XMPP_PORT ? 'XMPP_PORT' : `default for ${tls}`,
        domain: env.AZTM_DOMAIN ? 'AZTM_DOMAIN' : env.XMPP_DOMAIN ? 'XMPP_DOMAIN' : 'JID',
        tls: env.AZTM_TLS === 'auto' ? `AZTM_TLS=auto (port ${port})` : `AZTM_TLS=${env.AZTM_TLS}`,
      },
      validateCert: env.AZTM_VALIDATE_CERT,
      ...(env.XMPP_BRIDGE_CA_FILE ? { ca: readFileSync(env.XMPP_BRIDGE_CA_FILE, 'utf8') } : {}),
      ...(env.XMPP_BRIDGE_TLS_MAX_VERSION
        ? { tlsMaxVersion: env.XMPP_BRIDGE_TLS_MAX_VERSION }
        : {}),
      timeoutMs,
      connectTimeoutMs: Math.min(
        env.XMPP_BRIDGE_CONNECT_TIMEOUT_MS ?? Math.min(5_000, Math.round(timeoutMs / 3)),
        timeoutMs,
      ),
      resource,
      keepaliveMs: Math.round(env.XMPP_BRIDGE_KEEPALIVE_SECONDS * 1000),
      reconnect: {
        initialMs: env.XMPP_BRIDGE_RECONNECT_INITIAL_MS,
        maxMs: env.XMPP_BRIDGE_RECONNECT_MAX_MS,
      },
      stanzaLimitBytes: env.XMPP_BRIDGE_STANZA_LIMIT_BYTES,
    },
    serverMode,
    natsCommands: env.XMPP_BRIDGE_NATS_COMMANDS,
    serviceMap: env.SERVICE_MAP,
    httpTarget: new URL(env.XMPP_BRIDGE_HTTP_TARGET),
    ...(env.XMPP_BRIDGE_HTTP_TARGET_SOCKET
      ? { httpTargetSocket: env.XMPP_BRIDGE_HTTP_TARGET_SOCKET }
      : {}),
    allowedJids,
    serverModeIdle: serverModeAsked && !serverMode,
    inlineMaxBytes: env.XMPP_BRIDGE_INLINE_MAX_BYTES,
    chunkBytes: env.XMPP_BRIDGE_CHUNK_BYTES,
    maxBodyBytes: env.XMPP_BRIDGE_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES,
    maxBodyBytesSet: env.XMPP_BRIDGE_MAX_BODY_BYTES !== undefined,
    targetTimeoutMs: env.XMPP_BRIDGE_TARGET_TIMEOUT_MS,
    streamIdleMs: env.XMPP_BRIDGE_STREAM_IDLE_MS,
    streamHeartbeatMs: Math.round(env.XMPP_BRIDGE_STREAM_HEARTBEAT_SECONDS * 1000),
    presenceWaitMs: env.XMPP_BRIDGE_PRESENCE_WAIT_MS,
    dialect: env.XMPP_BRIDGE_DIALECT,
    xmppLogLevel: env.AZTM_LOG_LEVEL ?? env.LOG_LEVEL,
    approvers: env.XMPP_APPROVERS,
  };
}

/** Whether `bare` (lower case) is allowed by a list of bare JIDs and `*@domain` patterns. */
export function isAllowedJid(allowed: readonly string[], bare: string): boolean {
  const jid = bare.toLowerCase();
  const domain = jid.slice(jid.lastIndexOf('@') + 1);
  return allowed.some((a) => a === jid || a === `*@${domain}`);
}
