// The login, one phase after the other: resolve, connect, TLS (direct or STARTTLS), stream, SASL
// (strongest mechanism first, the next one when a mechanism fails for a reason another mechanism can
// fix), bind, session. Every wait races the one login deadline (AZTM_XMPP_TIMEOUT) and the socket's
// end, so a failure is reported at once with its phase instead of surfacing as a late timeout.
// This file is the sequence; the phases live in login.connect.ts (resolve, connect, TLS),
// login.sasl.ts and login.bind.ts (bind, session), their shared bookkeeping in login.run.ts.
import type { Xmpp } from '@switchboard/contracts';
import { xml, type Element } from '@xmpp/xml';
import { DEFAULT_STANZA_LIMIT_BYTES, type XmppSettings } from '../config/bridge-settings.js';
import { bindResource, requestSession } from './login.bind.js';
import { connect, startTls } from './login.connect.js';
import { diagnose } from './login.diagnosis.js';
import { LoginFailedError, type LoginStep } from './login.errors.js';
import { LoginRun, openStream } from './login.run.js';
import { authenticate } from './login.sasl.js';
import type { ScramKeyCache } from './sasl/scram.js';
import { advertisedStanzaLimit } from './stanza.limits.js';
import { BridgeClient } from './bridge.client.js';
import { NS } from './xmpp.namespaces.js';

type LoginPhase = Xmpp.LoginPhase;

export interface LoginResult {
  client: BridgeClient;
  boundJid: string;
  mechanism: string;
  tls?: { protocol: string; cipher: string };
  /** The stanza size limit the server advertised for this stream (XEP-0478), if it did. */
  advertisedStanzaLimit?: number;
  steps: LoginStep[];
  elapsedMs: number;
}

export interface LoginHooks {
  /** Each phase as it starts (status, readiness). */
  onPhase?(phase: LoginPhase): void;
  /** Called once bound, before the initial presence: attach stanza handlers here. */
  beforePresence?(client: BridgeClient, boundJid: string): void;
  /** The initial presence to send (default `<presence/>`). */
  presence?: () => Element;
}

/** Logs in once. Resolves with the live client, or rejects with a LoginFailedError (diagnosed). */
export async function login(
  settings: XmppSettings,
  keys: ScramKeyCache,
  hooks: LoginHooks = {},
): Promise<LoginResult> {
  const client = new BridgeClient({
    domain: settings.domain,
    timeoutMs: settings.timeoutMs,
    maxStanzaChars: 64 * 1024 * 1024,
    maxOutgoingBytes: settings.stanzaLimitBytes ?? DEFAULT_STANZA_LIMIT_BYTES,
    tls: {
      servername: settings.domain,
      rejectUnauthorized: settings.validateCert,
      ...(settings.ca ? { ca: settings.ca } : {}),
      ...(settings.tlsMaxVersion ? { maxVersion: settings.tlsMaxVersion } : {}),
    },
  });
  const run = new LoginRun(client, settings.timeoutMs, hooks);
  try {
    const result = await negotiate(run, settings, keys, hooks);
    return { ...result, client, steps: run.steps, elapsedMs: Math.round(run.elapsedMs) };
  } catch (e) {
    // The socket may still report an error while it goes: nobody listens any more, and an 'error'
    // without a listener would crash the process.
    client.on('error', () => undefined);
    client.destroy();
    const step = run.failure(e);
    const failure = diagnose(step.phase, step.detail, run.elapsedMs, {
      jid: settings.bare,
      domain: settings.domain,
      host: settings.host,
      port: settings.port,
      tls: settings.tls,
      timeoutMs: settings.timeoutMs,
    });
    run.steps.push({
      phase: step.phase,
      ok: false,
      ms: failure.elapsedMs,
      detail: `${failure.said} — hint: ${failure.hint}`,
    });
    throw new LoginFailedError(failure, run.steps);
  } finally {
    run.cleanup();
  }
}

async function negotiate(
  run: LoginRun,
  settings: XmppSettings,
  keys: ScramKeyCache,
  hooks: LoginHooks,
): Promise<Omit<LoginResult, 'client' | 'steps' | 'elapsedMs'>> {
  const { client } = run;

  await connect(run, settings);

  run.enter('stream');
  let features = await openStream(run, settings.domain);
  run.done(`stream to ${settings.domain} open`);
  features = await startTls(run, settings, features);

  run.enter('sasl');
  const mechanism = await authenticate(run, settings, keys, features);
  run.enter('stream');
  features = await openStream(run, settings.domain, true);
  // The limits of the authenticated stream are the ones that hold for the session.
  const stanzaLimit = advertisedStanzaLimit(features);
  if (stanzaLimit) client.maxOutgoingBytes = stanzaLimit;
  run.done(
    `stream restarted after SASL${stanzaLimit ? `; the server takes stanzas up to ${stanzaLimit} bytes (XEP-0478)` : ''}`,
  );

  const boundJid = await bindResource(run, settings, features);

  await requestSession(run, features);
  hooks.beforePresence?.(client, boundJid);
  await run.wait(client.sendElement(hooks.presence?.() ?? xml('presence')));
  // A round trip after the presence: a session the server refuses fails here, not at the first request.
  await run.iq(xml('ping', { xmlns: NS.ping }), 'get', settings.domain);
  run.done('presence sent, server answers');

  const tls = client.tlsSocket;
  return {
    boundJid,
    mechanism,
    ...(stanzaLimit ? { advertisedStanzaLimit: stanzaLimit } : {}),
    ...(tls
      ? { tls: { protocol: tls.getProtocol() ?? 'unknown', cipher: tls.getCipher().name } }
      : {}),
  };
}
