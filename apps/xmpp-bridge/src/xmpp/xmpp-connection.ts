// The bridge's XMPP session over time: the first login, reconnects after the server drops or restarts
// (timed by the messaging library's RetrySchedule), keepalive pings (keepalive.timer.ts), stanza routing, and a
// status. IQ requests and handlers are iq.exchange.ts'; this file decides when the session is up and
// where each stanza goes.
import type { Xmpp } from '@switchboard/contracts';
import { RetrySchedule } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { DEFAULT_STANZA_LIMIT_BYTES, type XmppSettings } from '../config/bridge-settings.js';
import { IqExchange, type IqHandler } from './iq.exchange.js';
import { KeepaliveTimer } from './keepalive.timer.js';
import { LoginFailedError, type LoginStep } from './login.errors.js';
import { login } from './login.procedure.js';
import { ScramKeyCache } from './sasl/scram.js';
import type { StanzaLimit } from './stanza.limits.js';
import type { BridgeClient } from './bridge.client.js';
import { XmppTimeoutError, XmppUnavailableError } from './xmpp-connection.errors.js';
import { NS } from './xmpp.namespaces.js';

// What the session's users import from here, wherever it is defined.
export type { IqAnswer, IqHandler } from './iq.exchange.js';
export {
  IqErrorReply,
  StanzaErrorReply,
  XmppTimeoutError,
  XmppUnavailableError,
} from './xmpp-connection.errors.js';

export interface ConnectionHooks {
  /** Online again (or for the first time): resend what the session needs (subscriptions…). */
  onOnline?(boundJid: string): void;
  /** The session is gone; `error` is what its pending requests were rejected with. */
  onOffline?(error: XmppUnavailableError): void;
  /** Every login attempt's outcome: `ok`, or the failure's kind. */
  onLogin?(outcome: string): void;
  onMessage?(message: Element): void;
  onPresence?(presence: Element): void;
  /** The initial presence (with capabilities). */
  presence?(): Element;
}

export class XmppConnection {
  private client: BridgeClient | undefined;
  private state: Xmpp.ConnectionState = 'connecting';
  private phase: Xmpp.LoginPhase | undefined;
  private since = new Date();
  private attempts = 0;
  private lastFailure: Xmpp.LoginFailure | undefined;
  private mechanism: string | undefined;
  private tls: { protocol: string; cipher: string } | undefined;
  private bound: string | undefined;
  /** What the server advertised for the current session (XEP-0478), if anything. */
  private advertisedLimit: number | undefined;
  private readonly iq: IqExchange;
  private readonly keys = new ScramKeyCache();
  private readonly reconnect: RetrySchedule;
  private readonly keepalive: KeepaliveTimer;
  private started: Promise<void> | undefined;
  private stopping = false;
  lastSteps: readonly LoginStep[] = [];

  constructor(
    private readonly settings: XmppSettings,
    private readonly logger: Logger,
    private readonly hooks: ConnectionHooks = {},
    /** The login procedure (tests replace it to script outcomes). */
    private readonly logIn: typeof login = login,
  ) {
    // Capped backoff with decorrelated jitter, so bridges that lost the same server do not come back
    // in lockstep; a successful login starts the next outage from the initial delay again.
    this.reconnect = new RetrySchedule({
      initialDelayMs: settings.reconnect.initialMs,
      maxDelayMs: settings.reconnect.maxMs,
    });
    this.keepalive = new KeepaliveTimer(settings.keepaliveMs);
    this.iq = new IqExchange(settings, logger, {
      client: () => this.client,
      boundJid: () => this.bound,
    });
    this.handle(NS.ping, 'ping', () => undefined as Element | undefined);
  }

  /** Registers the answer to IQ get/set requests whose payload is `<name xmlns=ns>`. */
  handle(ns: string, name: string, handler: IqHandler): void {
    this.iq.handle(ns, name, handler);
  }

  get online(): boolean {
    return this.state === 'online';
  }

  get boundJid(): string | undefined {
    return this.bound;
  }

  /** The server's stanza size limit: as it advertised it for this session, else as configured. */
  get stanzaLimit(): StanzaLimit {
    return this.advertisedLimit !== undefined
      ? { bytes: this.advertisedLimit, source: 'advertised' }
      : {
          bytes: this.settings.stanzaLimitBytes ?? DEFAULT_STANZA_LIMIT_BYTES,
          source: 'configured',
        };
  }

  /** The first login: resolves once online, rejects with the diagnosed LoginFailedError. */
  start(): Promise<void> {
    this.started ??= this.connect(true);
    return this.started;
  }

  status(): Omit<Xmpp.BridgeStatus, 'serverMode' | 'peers'> {
    return {
      jid: this.settings.bare,
      ...(this.bound ? { boundJid: this.bound } : {}),
      state: this.state,
      ...(this.phase ? { phase: this.phase } : {}),
      since: this.since.toISOString(),
      attempts: this.attempts,
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
      ...(this.mechanism ? { mechanism: this.mechanism } : {}),
      ...(this.tls ? { tls: this.tls } : {}),
      ...(this.state === 'online' ? { stanzaLimit: this.stanzaLimit } : {}),
    };
  }

  /** Why requests cannot go out right now (for errors and readiness). */
  describeOutage(): string {
    const failure = this.lastFailure ? `; last attempt: ${this.lastFailure.line}` : '';
    return `the XMPP session of ${this.settings.bare} is ${this.state}${this.phase && this.state !== 'online' ? ` (phase ${this.phase})` : ''}${failure}`;
  }

  private setState(state: Xmpp.ConnectionState): void {
    if (this.state !== state) this.since = new Date();
    this.state = state;
  }

  private async connect(first: boolean): Promise<void> {
    try {
      const result = await this.logIn(this.settings, this.keys, {
        onPhase: (phase) => (this.phase = phase),
        beforePresence: (client) => this.attach(client),
        ...(this.hooks.presence ? { presence: this.hooks.presence } : {}),
      });
      if (this.stopping) {
        // Stopped while this attempt was under way: do not come back online.
        result.client.destroy();
        this.client = undefined;
        this.setState('stopped');
        return;
      }
      this.client = result.client;
      this.bound = result.boundJid;
      this.mechanism = result.mechanism;
      this.tls = result.tls;
      this.advertisedLimit = result.advertisedStanzaLimit;
      this.lastSteps = result.steps;
      this.attempts = 0;
      this.reconnect.reset();
      this.setState('online');
      this.hooks.onLogin?.('ok');
      this.logger.info(
        {
          jid: result.boundJid,
          mechanism: result.mechanism,
          tls: result.tls,
          stanzaLimit: this.stanzaLimit,
          ms: result.elapsedMs,
        },
        first ? 'XMPP session online' : 'XMPP session online again',
      );
      this.startKeepalive();
      this.hooks.onOnline?.(result.boundJid);
    } catch (e) {
      this.client = undefined;
      if (!(e instanceof LoginFailedError)) throw e;
      this.lastFailure = e.failure;
      this.lastSteps = e.steps;
      this.attempts += 1;
      this.hooks.onLogin?.(e.failure.kind);
      if (first) throw e;
      this.logger.warn(
        { phase: e.failure.phase, kind: e.failure.kind, attempt: this.attempts },
        e.failure.line,
      );
      this.scheduleReconnect();
    }
  }

  /** Wires a logged-in client: stanza routing and the end of the connection. */
  private attach(client: BridgeClient): void {
    // From here on the session can send (e.g. approving a subscription that arrives with the first
    // presences), while requests still wait for the login to finish.
    this.client = client;
    let gone = false;
    const lost = (why: string) => {
      if (gone) return;
      gone = true;
      client.destroy();
      this.onLost(client, why);
    };
    const trace = this.logger.isLevelEnabled('debug');
    client.on('element', (el: Element) => {
      this.keepalive.received();
      if (trace) this.trace('in', el);
      this.route(client, el);
    });
    if (trace) client.on('send', (el: Element) => this.trace('out', el));
    client.on('error', (e: Error & { condition?: string; text?: string }) => {
      const said = e.condition
        ? `stream error ${e.condition}${e.text ? ` "${e.text}"` : ''}`
        : e.message;
      this.logger.warn(
        { err: { name: e.name, message: e.message } },
        `XMPP connection error: ${said}`,
      );
      if (e.condition) lost(said);
    });
    client.on('disconnect', () => lost('the connection closed'));
    client.on('close', () => lost('the server closed the stream'));
  }

  /** Stanza metadata only: bodies may carry credentials (Authorization headers) and personal data. */
  private trace(direction: 'in' | 'out', el: Element): void {
    const payload = el.getChildElements()[0];
    this.logger.debug(
      {
        direction,
        stanza: el.name,
        type: el.attrs['type'],
        id: el.attrs['id'],
        peer: direction === 'in' ? el.attrs['from'] : el.attrs['to'],
        payload: payload ? `${payload.name} ${payload.getNS() ?? ''}`.trim() : undefined,
      },
      'stanza',
    );
  }

  private onLost(client: BridgeClient, why: string): void {
    if (client !== this.client) return;
    this.client = undefined;
    // Lost before the login finished: the login itself reports and retries.
    if (this.state !== 'online' && !this.stopping) return;
    this.bound = undefined;
    this.keepalive.stop();
    const error = new XmppUnavailableError(`the XMPP connection was lost (${why})`);
    this.iq.rejectAll(error);
    this.hooks.onOffline?.(error);
    if (this.stopping) {
      this.setState('stopped');
      return;
    }
    this.setState('reconnecting');
    this.phase = undefined;
    this.logger.warn({ why }, 'XMPP session lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping) return;
    this.setState('reconnecting');
    this.reconnect.schedule(() => void this.connect(false));
  }

  private startKeepalive(): void {
    this.keepalive.start((timeoutMs) => {
      const client = this.client;
      return this.request(
        xml('iq', { type: 'get', to: this.settings.domain }, xml('ping', { xmlns: NS.ping })),
        timeoutMs,
      )
        .catch((e: Error) => {
          if (e instanceof XmppTimeoutError && client === this.client) {
            this.logger.warn('XMPP server did not answer a keepalive ping; reconnecting');
            client?.destroy();
          }
        })
        .then(() => client === this.client && this.client !== undefined);
    });
  }

  private route(client: BridgeClient, el: Element): void {
    if (el.name === 'iq') {
      const type = el.attrs['type'];
      if (type === 'result' || type === 'error') this.iq.onReply(el);
      else if (type === 'get' || type === 'set') void this.iq.onQuery(client, el);
    } else if (el.name === 'message') {
      this.hooks.onMessage?.(el);
    } else if (el.name === 'presence') {
      this.hooks.onPresence?.(el);
    }
  }

  /** Sends an IQ and waits for its result; rejects with IqErrorReply, XmppTimeoutError or XmppUnavailableError. */
  request(iq: Element, timeoutMs: number): Promise<Element> {
    const client = this.client;
    if (!client || this.state !== 'online')
      return Promise.reject(new XmppUnavailableError(this.describeOutage()));
    return this.iq.request(client, iq, timeoutMs);
  }

  /** `jid` went offline: the IQs waiting for its answer fail with `error` now. */
  rejectPendingTo(jid: string, error: Error): void {
    this.iq.rejectTo(jid, error);
  }

  /** Sends a stanza that needs no answer (messages, presence). */
  async send(stanza: Element): Promise<void> {
    const client = this.client;
    if (!client) throw new XmppUnavailableError(this.describeOutage());
    await client.sendElement(stanza);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnect.cancel();
    this.keepalive.stop();
    const client = this.client;
    if (!client) {
      this.setState('stopped');
      return;
    }
    // Close the stream politely, but never wait long for the server to do the same.
    await Promise.race([
      client.stop().catch(() => undefined),
      new Promise((r) => setTimeout(r, 1_000).unref()),
    ]);
    client.destroy();
    this.onLost(client, 'stopped');
  }
}
