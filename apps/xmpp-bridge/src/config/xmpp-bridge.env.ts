import {
  BaseEnv,
  bareJid,
  envBoolean,
  envPort,
  envServiceMap,
  parseJid,
} from '@switchboard/config';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { envXmppApprovers } from './xmpp-approvers.js';

const xmppPort = z.coerce.number().int().min(1).max(65_535);

/** Python logging names (the AZTM library's) and pino names, both accepted. */
const LOG_LEVELS: Record<
  string,
  'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'
> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  fatal: 'fatal',
  silent: 'silent',
};

const jidList = z.string().transform((s, ctx) => {
  const items = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const item of items) {
    const jid = parseJid(item.startsWith('*@') ? `any${item.slice(1)}` : item);
    if (typeof jid === 'string') ctx.addIssue({ code: 'custom', message: jid });
    else if (jid.resource !== undefined)
      ctx.addIssue({ code: 'custom', message: `"${item}" must be a bare JID` });
  }
  return items.map((x) => x.toLowerCase());
});

/**
 * The AZTM settings of the Python library this bridge replaces (same names, same meaning; legacy
 * XMPP_* used when the AZTM_* one is unset), SERVICE_MAP, and the bridge's own XMPP_BRIDGE_* knobs.
 */
export const XmppBridgeEnv = BaseEnv.extend({
  PORT: envPort.default(3005).describe('HTTP port (health, readiness, metrics).'),
  AZTM_HOST: z
    .string()
    .min(1)
    .optional()
    .describe(
      'XMPP server host name or address to connect to (default: XMPP_HOST, else the JID domain).',
    ),
  XMPP_HOST: z
    .string()
    .min(1)
    .optional()
    .describe('Legacy name of AZTM_HOST, used when AZTM_HOST is unset.'),
  AZTM_PORT: xmppPort
    .optional()
    .describe(
      'XMPP client port (default: XMPP_PORT, else 5223 with AZTM_TLS=direct and 5222 otherwise).',
    ),
  XMPP_PORT: xmppPort
    .optional()
    .describe('Legacy name of AZTM_PORT, used when AZTM_PORT is unset.'),
  AZTM_DOMAIN: z
    .string()
    .min(1)
    .optional()
    .describe(
      'XMPP domain the stream is opened to (default: XMPP_DOMAIN, else the domain of AZTM_JID).',
    ),
  XMPP_DOMAIN: z
    .string()
    .min(1)
    .optional()
    .describe('Legacy name of AZTM_DOMAIN, used when AZTM_DOMAIN is unset.'),
  AZTM_TLS: z
    .enum(['auto', 'starttls', 'direct', 'off'])
    .default('auto')
    .describe(
      'TLS mode: `starttls` (upgrade on the client port, required), `direct` (TLS from the first byte, XEP-0368), `auto` (direct on port 5223, STARTTLS otherwise; never plaintext), `off` (plaintext: trusted networks and tests only).',
    ),
  AZTM_VALIDATE_CERT: envBoolean
    .default(true)
    .describe(
      'Verify the server certificate (chain and name). Turn off only for a throwaway test server.',
    ),
  AZTM_XMPP_TIMEOUT: z.coerce
    .number()
    .positive()
    .max(600)
    .default(30)
    .describe(
      'Seconds allowed for one login (every phase together) and the default per-request timeout.',
    ),
  XMPP_BRIDGE_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .optional()
    .describe(
      'Milliseconds allowed for the TCP connection to the XMPP server (reported as host-unreachable), within the login deadline. Default: a third of AZTM_XMPP_TIMEOUT, at most 5000.',
    ),
  AZTM_JID: z
    .string()
    .min(1)
    .optional()
    .describe("The bridge's JID (`user@domain`, optionally `/resource`)."),
  AZTM_USERID: z
    .string()
    .min(1)
    .optional()
    .describe('Alternative to AZTM_JID: a local part (joined with AZTM_DOMAIN) or a bare JID.'),
  AZTM_PASSWORD: z.string().min(1).describe('Password of the XMPP account (secret; never logged).'),
  AZTM_LOG_LEVEL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const level = LOG_LEVELS[v.trim().toLowerCase()];
      if (!level)
        ctx.addIssue({
          code: 'custom',
          message: 'must be DEBUG, INFO, WARNING, ERROR, CRITICAL (or a pino level)',
        });
      return level;
    })
    .describe(
      "Level of the XMPP layer's logs (default: LOG_LEVEL); DEBUG adds one line per stanza (kind, type, id, peer, size; never bodies or SASL payloads).",
    ),
  AZTM_SERVER_MODE: envBoolean
    .default(true)
    .describe(
      'Server mode: answer XEP-0332 requests addressed to this JID (also `--no-server-mode` on the command line).',
    ),
  SERVICE_MAP: envServiceMap.describe(
    'URL host → JID, as JSON (`{"researcher.example.run.app":"researcher@agents.example"}`) or `host=jid,host=jid`.',
  ),
  XMPP_BRIDGE_NATS_COMMANDS: envBoolean
    .default(true)
    .describe(
      "Serve the platform's NATS commands (HTTP over XMPP, status). Set false for an agent's bridge: it then runs without NATS at all (server mode only).",
    ),
  XMPP_BRIDGE_HTTP_TARGET: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .default('http://127.0.0.1:3000')
    .describe(
      'Server mode: the local HTTP server that incoming requests are forwarded to (its base URL).',
    ),
  XMPP_BRIDGE_HTTP_TARGET_SOCKET: z
    .string()
    .min(1)
    .max(107, 'a unix socket path has at most 107 bytes')
    .optional()
    .describe(
      'Server mode: reach XMPP_BRIDGE_HTTP_TARGET through this unix domain socket (its URL then gives only the scheme and base path), so the target need not listen on TCP at all.',
    ),
  XMPP_BRIDGE_ALLOWED_JIDS: jidList
    .optional()
    .describe(
      'Server mode: bare JIDs (or `*@domain`) whose requests are served, comma-separated; everyone else gets <forbidden/>. Default: nobody, and server mode stays off until this names someone.',
    ),
  XMPP_BRIDGE_RESOURCE: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\s/]+$/, 'must not contain spaces or /')
    .optional()
    .describe(
      'Resource to bind (default: a random one per process, so replicas never evict each other).',
    ),
  XMPP_BRIDGE_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('PEM file of extra CA certificates to trust for the XMPP server (a private CA).'),
  XMPP_BRIDGE_TLS_MAX_VERSION: z
    .enum(['TLSv1.2', 'TLSv1.3'])
    .optional()
    .describe(
      'Highest TLS version to negotiate (TLSv1.2 enables SCRAM-*-PLUS with tls-unique on Prosody 0.12).',
    ),
  XMPP_BRIDGE_INLINE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(4_194_304)
    .default(131_072)
    .describe(
      'Bodies up to this size (encoded) travel inside the request/response stanza; larger ones as chunkedBase64.',
    ),
  XMPP_BRIDGE_CHUNK_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(65_536)
    .default(49_152)
    .describe('Bytes of body per chunk message (XEP-0332 maxChunkSize, 256–65536).'),
  XMPP_BRIDGE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(67_108_864)
    .optional()
    .describe(
      "Largest request or response body carried, in bytes (decoded); larger ones fail with PAYLOAD_TOO_LARGE. Default 8388608, and with the NATS role at most what fits in the NATS server's max_payload as base64 JSON (checked at start; a larger setting is lowered to it, with a warning).",
    ),
  XMPP_BRIDGE_TARGET_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(60_000)
    .describe(
      'Server mode: how long the local HTTP target may take to answer before the peer gets 504.',
    ),
  XMPP_BRIDGE_STREAM_IDLE_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(300_000)
    .describe(
      "Streamed responses (SSE, bodies still being written): the longest silence between two pieces before the stream is ended with TIMEOUT — in server mode the local target's, on the platform side the peer's (unless the NATS request sets its own idleTimeoutMs).",
    ),
  XMPP_BRIDGE_STREAM_HEARTBEAT_SECONDS: z.coerce
    .number()
    .min(0.1)
    .max(60)
    .default(2)
    .describe(
      'Streamed responses (sb.cmd.xmpp.http.stream): seconds between the heartbeat parts the platform bridge sends its NATS caller while it carries the exchange. The caller takes the bridge for gone after three silent intervals, so a bridge that dies mid-stream is noticed within seconds. Keep it under 6 s: a caller whose NATS connection dropped before the first beat gives the bridge 6 s after reconnecting to beat, else takes the request for lost (cancels it and asks again).',
    ),
  XMPP_BRIDGE_STANZA_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(67_108_864)
    .default(262_144)
    .describe(
      "The largest stanza the XMPP server accepts from this client (Prosody's c2s_stanza_size_limit), used when the server does not advertise it (XEP-0478 stream limits win when it does). Nothing larger is sent: bodies are chunked to fit, and a body that cannot be (a peer in slixmpp's dialect takes no chunks) is refused with PAYLOAD_TOO_LARGE, instead of the server closing the session. Default 262144 (Prosody's default); RFC 6120 servers accept at least 10000.",
    ),
  XMPP_BRIDGE_RECONNECT_INITIAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(250)
    .describe(
      'First reconnect delay after the session drops; doubles per failed attempt, with jitter.',
    ),
  XMPP_BRIDGE_RECONNECT_MAX_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(30_000)
    .describe('Largest reconnect delay.'),
  XMPP_BRIDGE_KEEPALIVE_SECONDS: z.coerce
    .number()
    .min(0)
    .max(3_600)
    .default(30)
    .describe(
      'Idle seconds before the bridge pings the server to detect a dead connection (0: never).',
    ),
  XMPP_BRIDGE_PRESENCE_WAIT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(3_000)
    .describe(
      "How long a request waits for its peer's presence (the peer's full JID) before failing as offline.",
    ),
  XMPP_BRIDGE_DIALECT: z
    .enum(['xep', 'slixmpp'])
    .default('xep')
    .describe(
      'Element names sent to peers first: `xep` (<req>/<resp>, XEP-0332) or `slixmpp` (<request>/<response>). A peer answering feature-not-implemented is retried in the other dialect and remembered.',
    ),
  XMPP_APPROVERS: envXmppApprovers.describe(
    'Who decides approvals from an XMPP client (docs/xmpp-bridge.md): `role:<role>=jid|jid;user:<userId>=jid`, or JSON `{"role:admin":["alice@example.org"]}`. A JID under `role:R` decides as user `xmpp:<jid>` with role R; under `user:U` as user U. The bridge sends each new approval whose policy names them to their JIDs as a chat message with an XEP-0004 form. Empty: off. Needs XMPP_BRIDGE_NATS_COMMANDS.',
  ),
}).superRefine((env, ctx) => {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  const domain = env.AZTM_DOMAIN ?? env.XMPP_DOMAIN;
  const id = env.AZTM_JID ?? env.AZTM_USERID;
  if (!id) {
    issue('AZTM_JID', 'set AZTM_JID (user@domain) or AZTM_USERID (with AZTM_DOMAIN)');
    return;
  }
  const key = env.AZTM_JID ? 'AZTM_JID' : 'AZTM_USERID';
  const text = id.includes('@') || !domain ? id : `${id}@${domain}`;
  const jid = parseJid(text);
  if (typeof jid === 'string') {
    issue(
      key,
      id.includes('@') || domain
        ? jid
        : `"${id}" has no domain: use user@domain or set AZTM_DOMAIN`,
    );
    return;
  }
  if (domain && domain.toLowerCase() !== jid.domain) {
    issue(
      env.AZTM_DOMAIN ? 'AZTM_DOMAIN' : 'XMPP_DOMAIN',
      `"${domain}" differs from the domain of ${key} (${jid.domain}): an account only logs in to its own domain`,
    );
  }
  if (env.XMPP_BRIDGE_CA_FILE && !existsSync(env.XMPP_BRIDGE_CA_FILE)) {
    issue('XMPP_BRIDGE_CA_FILE', `no such file: ${env.XMPP_BRIDGE_CA_FILE}`);
  }
  if (env.XMPP_APPROVERS.length > 0 && !env.XMPP_BRIDGE_NATS_COMMANDS) {
    issue(
      'XMPP_APPROVERS',
      'needs XMPP_BRIDGE_NATS_COMMANDS=true (approvals are decided over NATS)',
    );
  }
  if (env.XMPP_APPROVERS.some((a) => a.jid === bareJid(jid).toLowerCase())) {
    issue('XMPP_APPROVERS', "must not list the bridge's own JID");
  }
  if (env.XMPP_BRIDGE_RECONNECT_MAX_MS < env.XMPP_BRIDGE_RECONNECT_INITIAL_MS) {
    issue('XMPP_BRIDGE_RECONNECT_MAX_MS', 'must not be below XMPP_BRIDGE_RECONNECT_INITIAL_MS');
  }
});
export type XmppBridgeEnv = z.infer<typeof XmppBridgeEnv>;
