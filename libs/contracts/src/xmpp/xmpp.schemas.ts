import { z } from 'zod';

/**
 * The phases of an XMPP login, in order. `resolve` is the DNS lookup, `connect` the TCP connection,
 * `tls` direct TLS or STARTTLS, `stream` the XML stream and its features, `sasl` authentication,
 * `bind` resource binding, `session` session establishment and initial presence.
 */
export const LoginPhase = z.enum([
  'resolve',
  'connect',
  'tls',
  'stream',
  'sasl',
  'bind',
  'session',
]);
export type LoginPhase = z.infer<typeof LoginPhase>;

/** Where the bridge's XMPP session stands. */
export const ConnectionState = z.enum(['connecting', 'online', 'reconnecting', 'stopped']);
export type ConnectionState = z.infer<typeof ConnectionState>;

/** One failed login, as diagnosed: the phase, what the server (or the network) said, and a hint. */
export const LoginFailure = z.object({
  phase: LoginPhase,
  /** A stable classification, e.g. `auth-failed`, `wrong-port-direct-tls`, `certificate-untrusted`. */
  kind: z.string(),
  /** What the server or the network said (condition and text, or the socket error). */
  said: z.string(),
  hint: z.string(),
  elapsedMs: z.number().nonnegative(),
  /** The one-line diagnosis, as logged. */
  line: z.string(),
});
export type LoginFailure = z.infer<typeof LoginFailure>;

export const BridgeStatus = z.object({
  jid: z.string(),
  /** The full JID bound by the server, while online. */
  boundJid: z.string().optional(),
  state: ConnectionState,
  /** The login phase in progress (or the last one reached). */
  phase: LoginPhase.optional(),
  since: z.string().datetime(),
  /** Consecutive failed attempts since the last successful login. */
  attempts: z.number().int().nonnegative(),
  lastFailure: LoginFailure.optional(),
  mechanism: z.string().optional(),
  tls: z.object({ protocol: z.string(), cipher: z.string() }).optional(),
  /**
   * The largest stanza the XMPP server takes from the bridge: as the server advertised it (XEP-0478
   * stream limits) or, when it did not, XMPP_BRIDGE_STANZA_LIMIT_BYTES. Nothing larger is sent.
   */
  stanzaLimit: z
    .object({
      bytes: z.number().int().positive(),
      source: z.enum(['advertised', 'configured']),
    })
    .optional(),
  serverMode: z.boolean(),
  /** Mapped hosts (SERVICE_MAP) and whether their JID has an available resource right now. */
  peers: z.array(z.object({ host: z.string(), jid: z.string(), online: z.boolean() })),
});
export type BridgeStatus = z.infer<typeof BridgeStatus>;
