// The login, one phase after the other: resolve, connect, TLS (direct or STARTTLS), stream, SASL
// (strongest mechanism first, the next one when a mechanism fails for a reason another mechanism can
// fix), bind, session. Every wait races the one login deadline (AZTM_XMPP_TIMEOUT) and the socket's
// end, so a failure is reported at once with its phase instead of surfacing as a late timeout.
import type { Xmpp } from '@switchboard/contracts';
import { xml, type Element } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { XmppSettings } from '../config/bridge-settings.js';
import { diagnose } from './login.diagnosis.js';
import {
  type LoginCause,
  LoginFailedError,
  type LoginStep,
  LoginStepError,
  type SaslAttempt,
  type XmppCondition,
} from './login.errors.js';
import { type Candidate, orderMechanisms, shouldTryNext } from './sasl/mechanisms.js';
import { ScramClient, ScramError, type ScramKeyCache } from './sasl/scram.js';
import { BridgeClient, isTlsRecord, NotXmppAnswerError } from './xmpp-client.js';

type LoginPhase = Xmpp.LoginPhase;

export const NS = {
  stream: 'http://etherx.jabber.org/streams',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
  saslCb: 'urn:xmpp:sasl-cb:0',
  ping: 'urn:xmpp:ping',
} as const;

export interface LoginResult {
  client: BridgeClient;
  boundJid: string;
  mechanism: string;
  tls?: { protocol: string; cipher: string };
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

/** The first error child of an XMPP error element. */
export function readCondition(error: Element | undefined, ns: string): XmppCondition {
  const child =
    error
      ?.getChildElements()
      .find((c) => c.name !== 'text' && (c.getNS() === ns || c.attrs['xmlns'] === ns)) ??
    error?.getChildElements()[0];
  const text = error?.getChildText('text') ?? undefined;
  return { condition: child?.name ?? 'undefined-condition', ...(text ? { text } : {}) };
}

function causeOf(e: unknown): LoginCause {
  if (e instanceof LoginStepError) return e.detail;
  if (e instanceof NotXmppAnswerError) return { type: 'not-xmpp', firstBytes: e.firstBytes };
  const err = e as Error & { code?: string; condition?: string; text?: string; element?: Element };
  if (err?.name === 'StreamError' && err.condition) {
    const other =
      err.condition === 'see-other-host'
        ? (err.element?.getChildText('see-other-host') ?? undefined)
        : undefined;
    return {
      type: 'stream-error',
      error: { condition: err.condition, ...(err.text ? { text: err.text } : {}) },
      ...(other ? { seeOtherHost: other } : {}),
    };
  }
  if (err?.name === 'XMLError') return { type: 'xml', message: err.message };
  if (err?.name === 'TimeoutError') return { type: 'timeout', ms: 0 };
  return {
    type: 'socket',
    ...(err?.code ? { code: err.code } : {}),
    message: err?.message ?? String(e),
  };
}

/** One login attempt's bookkeeping: the phase, the report, the deadline and the end of the socket. */
class LoginRun {
  readonly steps: LoginStep[] = [];
  phase: LoginPhase = 'resolve';
  private phaseStarted = performance.now();
  private readonly started = performance.now();
  private readonly deadline: number;
  private abort: ((e: unknown) => void) | undefined;
  private failed: unknown;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly client: BridgeClient,
    private readonly timeoutMs: number,
    private readonly hooks: LoginHooks,
  ) {
    this.deadline = this.started + timeoutMs;
    const onError = (e: unknown) => this.fail(e);
    const onDisconnect = () =>
      this.fail(
        new LoginStepError(this.phase, {
          type: 'closed',
          bytesReceived: client.bytesReceived,
          tlsRecord: isTlsRecord(client.firstBytes),
          // What a server that closed before any stream header said (an HTML error page…).
          ...(client.firstBytes && !client.streamOpened ? { firstBytes: client.firstBytes } : {}),
        }),
      );
    client.on('error', onError);
    client.on('disconnect', onDisconnect);
    this.cleanups.push(() => {
      client.off('error', onError);
      client.off('disconnect', onDisconnect);
    });
  }

  get elapsedMs(): number {
    return performance.now() - this.started;
  }

  enter(phase: LoginPhase): void {
    this.phase = phase;
    this.phaseStarted = performance.now();
    this.hooks.onPhase?.(phase);
  }

  done(detail: string): void {
    this.steps.push({
      phase: this.phase,
      ok: true,
      ms: Math.round(performance.now() - this.phaseStarted),
      detail,
    });
  }

  private fail(e: unknown): void {
    // The first failure wins: a stream error is usually followed by the socket closing.
    if (this.failed === undefined) this.failed = e;
    this.abort?.(this.failed);
  }

  /**
   * Waits for `promise`, unless the deadline passes or the connection fails first. `limitMs` is a
   * tighter deadline of its own for this wait (the TCP connect), reported as its timeout.
   */
  async wait<T>(promise: Promise<T>, limitMs?: number): Promise<T> {
    promise.catch(() => undefined);
    if (this.failed !== undefined) throw this.failed;
    const remaining = this.deadline - performance.now();
    const own = limitMs !== undefined && limitMs < remaining;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        this.abort = reject;
        timer = setTimeout(
          () =>
            reject(
              new LoginStepError(this.phase, {
                type: 'timeout',
                ms: own ? (limitMs as number) : this.timeoutMs,
              }),
            ),
          Math.max(0, own ? (limitMs as number) : remaining),
        );
        promise.then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
    }
  }

  /** The next element from the server that matches, registered before whatever provokes it. */
  next(match: (el: Element) => boolean): Promise<Element> {
    let resolve: (el: Element) => void = () => undefined;
    const p = new Promise<Element>((r) => (resolve = r));
    const listener = (el: Element) => {
      if (!match(el)) return;
      this.client.off('element', listener);
      resolve(el);
    };
    this.client.on('element', listener);
    this.cleanups.push(() => this.client.off('element', listener));
    return p;
  }

  async iq(payload: Element, type: 'get' | 'set', to?: string): Promise<Element> {
    const id = randomUUID();
    const reply = this.next(
      (el) =>
        el.name === 'iq' &&
        el.attrs['id'] === id &&
        (el.attrs['type'] === 'result' || el.attrs['type'] === 'error'),
    );
    await this.wait(
      this.client.sendElement(xml('iq', { type, id, ...(to ? { to } : {}) }, payload)),
    );
    return this.wait(reply);
  }

  failure(e: unknown): LoginStepError {
    const first = this.failed ?? e;
    if (first instanceof LoginStepError) return first;
    return new LoginStepError(this.phase, causeOf(first));
  }

  cleanup(): void {
    for (const c of this.cleanups.splice(0)) c();
  }
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

  run.enter('resolve');
  let address = settings.host;
  if (isIP(settings.host)) {
    run.done(`${settings.host} is an address`);
  } else {
    address = (await run.wait(lookup(settings.host))).address;
    run.done(`${settings.host} → ${address}`);
  }

  run.enter('connect');
  const scheme = settings.tls === 'direct' ? 'xmpps' : 'xmpp';
  const service = `${scheme}://${isIP(address) === 6 ? `[${address}]` : address}:${settings.port}`;
  const connected = client.connect(service);
  // TCP has its own, shorter deadline: dropped SYNs would otherwise use up the whole login's.
  if (settings.tls === 'direct') {
    const tcp = new Promise<void>((resolve) => client.socket?.once('tcp-connect', () => resolve()));
    await run.wait(Promise.race([tcp, connected]), settings.connectTimeoutMs);
    run.done(`TCP ${address}:${settings.port}`);
    run.enter('tls');
    await run.wait(connected);
    run.done(tlsDetail(client, 'direct TLS'));
  } else {
    await run.wait(connected, settings.connectTimeoutMs);
    run.done(`TCP ${address}:${settings.port}`);
  }

  run.enter('stream');
  let features = await openStream(run, settings.domain);
  run.done(`stream to ${settings.domain} open`);

  if (settings.tls !== 'direct') {
    const starttls = features.getChild('starttls', NS.tls);
    if (settings.tls === 'starttls') {
      run.enter('tls');
      if (!starttls) {
        throw new LoginStepError('tls', {
          type: 'refused',
          kind: 'starttls-unavailable',
          said: 'the server offers no STARTTLS',
          hint: "use AZTM_TLS=direct with the server's TLS port (usually 5223), or AZTM_TLS=off on a trusted network only",
        });
      }
      const answer = run.next(
        (el) => el.getNS() === NS.tls && (el.name === 'proceed' || el.name === 'failure'),
      );
      await run.wait(client.sendElement(xml('starttls', { xmlns: NS.tls })));
      if ((await run.wait(answer)).name !== 'proceed') {
        throw new LoginStepError('tls', {
          type: 'refused',
          kind: 'starttls-failed',
          said: 'STARTTLS failure',
          hint: 'the server could not start TLS: see its log (certificate, TLS settings)',
        });
      }
      await run.wait(client.upgradeToTls());
      run.done(tlsDetail(client, 'STARTTLS'));
      run.enter('stream');
      features = await openStream(run, settings.domain, true);
      run.done('stream restarted over TLS');
    } else if (starttls?.getChild('required')) {
      run.enter('tls');
      throw new LoginStepError('tls', {
        type: 'refused',
        kind: 'tls-required',
        said: 'the server requires TLS (STARTTLS <required/>)',
        hint: 'AZTM_TLS=off cannot log in here: use AZTM_TLS=starttls (or auto)',
      });
    }
  }

  run.enter('sasl');
  const mechanism = await authenticate(run, settings, keys, features);
  run.enter('stream');
  features = await openStream(run, settings.domain, true);
  run.done('stream restarted after SASL');

  run.enter('bind');
  if (!features.getChild('bind', NS.bind)) {
    throw new LoginStepError('bind', {
      type: 'refused',
      kind: 'bind-unavailable',
      said: 'the server offers no resource binding',
      hint: 'not an XMPP client service?',
    });
  }
  const bound = await run.iq(
    xml('bind', { xmlns: NS.bind }, xml('resource', {}, settings.resource)),
    'set',
  );
  if (bound.attrs['type'] === 'error') {
    throw new LoginStepError('bind', {
      type: 'stanza-error',
      error: readCondition(bound.getChild('error'), NS.stanzas),
    });
  }
  const boundJid =
    bound.getChild('bind', NS.bind)?.getChildText('jid') ?? `${settings.bare}/${settings.resource}`;
  run.done(`bound ${boundJid}`);

  run.enter('session');
  const session = features.getChild('session', NS.session);
  if (session && !session.getChild('optional')) {
    const reply = await run.iq(xml('session', { xmlns: NS.session }), 'set');
    if (reply.attrs['type'] === 'error') {
      throw new LoginStepError('session', {
        type: 'stanza-error',
        error: readCondition(reply.getChild('error'), NS.stanzas),
      });
    }
  }
  hooks.beforePresence?.(client, boundJid);
  await run.wait(client.sendElement(hooks.presence?.() ?? xml('presence')));
  // A round trip after the presence: a session the server refuses fails here, not at the first request.
  await run.iq(xml('ping', { xmlns: NS.ping }), 'get', settings.domain);
  run.done('presence sent, server answers');

  const tls = client.tlsSocket;
  return {
    boundJid,
    mechanism,
    ...(tls
      ? { tls: { protocol: tls.getProtocol() ?? 'unknown', cipher: tls.getCipher().name } }
      : {}),
  };
}

function tlsDetail(client: BridgeClient, how: string): string {
  const tls = client.tlsSocket;
  return tls ? `${how}: ${tls.getProtocol()} ${tls.getCipher().name}` : how;
}

/**
 * Opens (or restarts) the stream and returns its features. xmpp.js' open() starts listening for the
 * server's header only after its write callback, which a fast server can beat (the header is then
 * missed and open() times out): we wait for the features instead, registered before anything is sent.
 */
async function openStream(run: LoginRun, domain: string, restart = false): Promise<Element> {
  const features = run.next(
    (el) => el.name === 'stream:features' || (el.name === 'features' && el.getNS() === NS.stream),
  );
  const opened = restart ? run.client.restart() : run.client.open({ domain });
  opened.catch(() => undefined);
  return run.wait(features);
}

/** SASL with fallback; returns the mechanism that succeeded. */
async function authenticate(
  run: LoginRun,
  settings: XmppSettings,
  keys: ScramKeyCache,
  features: Element,
): Promise<string> {
  const offered = (features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism') ?? []).map(
    (m) => m.text().trim(),
  );
  const serverBindings = features
    .getChild('sasl-channel-binding', NS.saslCb)
    ?.getChildren('channel-binding')
    .map((c) => c.attrs['type'] ?? '');
  const tlsSocket = run.client.tlsSocket;
  const { candidates, skipped } = orderMechanisms({
    offered,
    secure: run.client.isSecure(),
    ...(tlsSocket ? { tlsVersion: tlsSocket.getProtocol() ?? undefined } : {}),
    ...(serverBindings ? { serverBindings } : {}),
  });
  const attempts: SaslAttempt[] = [];
  for (const candidate of candidates) {
    try {
      await exchange(run, settings, keys, candidate);
      attempts.push({ mechanism: candidate.name, ok: true });
      run.done(
        attempts
          .map((a) =>
            a.ok
              ? `${a.mechanism} ok`
              : `${a.mechanism} failed (${a.condition}${a.text ? `: ${a.text}` : ''})`,
          )
          .join(', '),
      );
      return candidate.name;
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      attempts.push({
        mechanism: candidate.name,
        ok: false,
        condition: e.condition,
        ...(e.text ? { text: e.text } : {}),
      });
      if (
        !shouldTryNext({
          condition: e.condition,
          ...(e.scramKind ? { scramKind: e.scramKind } : {}),
        })
      ) {
        throw new LoginStepError('sasl', {
          type: 'sasl',
          attempts,
          offered,
          skipped,
          impostor: e.impostor,
        });
      }
    }
  }
  throw new LoginStepError('sasl', { type: 'sasl', attempts, offered, skipped });
}

class SaslFailure extends Error {
  constructor(
    readonly condition: string,
    readonly text?: string,
    readonly scramKind?: string,
    readonly impostor = false,
  ) {
    super(condition);
  }
}

function bindingData(run: LoginRun, type: 'tls-unique' | 'tls-exporter'): Buffer | undefined {
  const tls = run.client.tlsSocket;
  if (!tls) return undefined;
  if (type === 'tls-unique') return tls.getFinished();
  // RFC 9266: no context at all (Node's typings insist on one; TLS 1.2 tells "none" from "empty").
  const exportWithoutContext = tls.exportKeyingMaterial.bind(tls) as (
    length: number,
    label: string,
  ) => Buffer;
  return exportWithoutContext(32, 'EXPORTER-Channel-Binding');
}

const b64 = (s: string) => (s ? Buffer.from(s).toString('base64') : '=');

/** One SASL exchange with one mechanism; throws SaslFailure when it fails. */
async function exchange(
  run: LoginRun,
  settings: XmppSettings,
  keys: ScramKeyCache,
  candidate: Candidate,
): Promise<void> {
  const { client } = run;
  let initial: string;
  let scram: ScramClient | undefined;
  if (candidate.kind === 'plain') {
    initial = `\0${settings.jid.local}\0${settings.password}`;
  } else {
    const binding = candidate.binding ?? { flag: 'n' };
    let channel: ConstructorParameters<typeof ScramClient>[0]['binding'] = {
      flag: binding.flag === 'p' ? 'n' : binding.flag,
    };
    if (binding.flag === 'p') {
      const data = bindingData(run, binding.type);
      if (!data)
        throw new SaslFailure(
          'channel-binding-unavailable',
          `no ${binding.type} data for this TLS session`,
        );
      channel = { flag: 'p', type: binding.type, data };
    }
    scram = new ScramClient({
      hash: candidate.hash ?? 'sha1',
      username: settings.jid.local,
      password: settings.password,
      binding: channel,
      keys,
    });
    initial = scram.clientFirst();
  }
  const isSasl = (el: Element) =>
    el.getNS() === NS.sasl && ['challenge', 'success', 'failure'].includes(el.name);
  let answer = run.next(isSasl);
  await run.wait(
    client.sendElement(xml('auth', { xmlns: NS.sasl, mechanism: candidate.name }, b64(initial))),
  );
  let verified = false;
  for (let round = 0; round < 4; round++) {
    const el = await run.wait(answer);
    const data = el.text().trim();
    const decoded = data && data !== '=' ? Buffer.from(data, 'base64').toString('utf8') : '';
    if (el.name === 'failure') {
      const { condition, text } = readCondition(el, NS.sasl);
      throw new SaslFailure(condition, text);
    }
    try {
      if (el.name === 'success') {
        if (scram && !verified) {
          if (!decoded)
            throw new ScramError(
              'server-signature-mismatch',
              'the server sent no signature with its success',
            );
          scram.verifyServerFinal(decoded);
        }
        return;
      }
      // A challenge: the server-first message, or (some servers) the server-final one.
      let response = '';
      if (scram && round === 0) response = await scram.clientFinal(decoded);
      else if (scram) {
        scram.verifyServerFinal(decoded);
        verified = true;
      }
      answer = run.next(isSasl);
      await run.wait(client.sendElement(xml('response', { xmlns: NS.sasl }, b64(response))));
    } catch (e) {
      if (!(e instanceof ScramError)) throw e;
      const impostor = e.kind === 'server-signature-mismatch';
      if (!impostor) {
        // Abort this exchange properly so the server accepts another mechanism.
        const aborted = run.next(isSasl);
        await run.wait(client.sendElement(xml('abort', { xmlns: NS.sasl })));
        await run.wait(aborted);
      }
      throw new SaslFailure(
        impostor ? 'server-signature-invalid' : 'invalid-server-message',
        e.message,
        e.kind,
        impostor,
      );
    }
  }
  throw new SaslFailure('too-many-rounds', 'the server kept challenging');
}
