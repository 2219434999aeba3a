// The bridge's XMPP session over time: the first login, reconnects with exponential backoff and
// jitter after the server drops or restarts, keepalive pings, IQ requests whose replies are matched
// to their sender (and rejected at once when the connection goes), IQ handlers, and a status.
import type { Xmpp } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { decorrelatedJitterGenerator, ExponentialBackoff, type IBackoff } from 'cockatiel';
import { randomUUID } from 'node:crypto';
import type { XmppSettings } from '../config/bridge-settings.js';
import { LoginFailedError, type LoginStep, type XmppCondition } from './login.errors.js';
import { login, NS, readCondition } from './login.procedure.js';
import { ScramKeyCache } from './sasl/scram.js';
import type { BridgeClient } from './xmpp-client.js';

/** The session is down: requests fail at once instead of waiting for a timeout. */
export class XmppUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmppUnavailableError';
  }
}

export class XmppTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'XmppTimeoutError';
  }
}

/** The peer (or its server) answered an IQ with an error. */
export class IqErrorReply extends Error {
  constructor(
    readonly error: XmppCondition & { type?: string; app?: string },
    readonly from: string | undefined,
  ) {
    super(`${error.condition}${error.text ? `: ${error.text}` : ''}`);
    this.name = 'IqErrorReply';
  }
}

/** Thrown by an IQ handler to answer with an XMPP error. */
export class StanzaErrorReply extends Error {
  constructor(
    readonly type: 'cancel' | 'modify' | 'auth' | 'wait',
    readonly condition: string,
    readonly text?: string,
    readonly app?: Element,
  ) {
    super(`${condition}${text ? `: ${text}` : ''}`);
    this.name = 'StanzaErrorReply';
  }
}

/** An IQ answer, and what to send once the result is out (e.g. the chunks of a large body). */
export interface IqAnswer {
  payload?: Element;
  after?: () => Promise<void>;
  /** Called instead of `after` when the result could not be sent (to release what `after` holds). */
  abandon?: () => void;
}

export type IqHandler = (
  iq: Element,
  payload: Element,
) => Promise<Element | IqAnswer | undefined> | Element | IqAnswer | undefined;

interface Pending {
  to: string | undefined;
  resolve(el: Element): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

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
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, IqHandler>();
  private readonly keys = new ScramKeyCache();
  private readonly backoffFactory: ExponentialBackoff<unknown>;
  private backoff: IBackoff<unknown> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private lastReceived = 0;
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
    this.backoffFactory = new ExponentialBackoff({
      initialDelay: settings.reconnect.initialMs,
      maxDelay: settings.reconnect.maxMs,
      generator: decorrelatedJitterGenerator,
    });
    this.handle(NS.ping, 'ping', () => undefined as Element | undefined);
  }

  /** Registers the answer to IQ get/set requests whose payload is `<name xmlns=ns>`. */
  handle(ns: string, name: string, handler: IqHandler): void {
    this.handlers.set(`${name} ${ns}`, handler);
  }

  get online(): boolean {
    return this.state === 'online';
  }

  get boundJid(): string | undefined {
    return this.bound;
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
      this.lastSteps = result.steps;
      this.attempts = 0;
      this.backoff = undefined;
      this.setState('online');
      this.hooks.onLogin?.('ok');
      this.logger.info(
        {
          jid: result.boundJid,
          mechanism: result.mechanism,
          tls: result.tls,
          ms: result.elapsedMs,
        },
        first ? 'XMPP session online' : 'XMPP session online again',
      );
      this.scheduleKeepalive();
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
      this.lastReceived = performance.now();
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
    clearTimeout(this.keepaliveTimer);
    const error = new XmppUnavailableError(`the XMPP connection was lost (${why})`);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
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
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.backoffFactory.next();
    const delay = Math.round(this.backoff.duration);
    this.setState('reconnecting');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(false), delay);
    this.reconnectTimer.unref();
  }

  private scheduleKeepalive(): void {
    const interval = this.settings.keepaliveMs;
    if (interval <= 0) return;
    this.lastReceived = performance.now();
    const tick = () => {
      const idle = performance.now() - this.lastReceived;
      if (idle < interval) {
        this.keepaliveTimer = setTimeout(tick, interval - idle);
        this.keepaliveTimer.unref();
        return;
      }
      const client = this.client;
      this.request(
        xml('iq', { type: 'get', to: this.settings.domain }, xml('ping', { xmlns: NS.ping })),
        Math.min(interval, 10_000),
      )
        .catch((e: Error) => {
          if (e instanceof XmppTimeoutError && client === this.client) {
            this.logger.warn('XMPP server did not answer a keepalive ping; reconnecting');
            client?.destroy();
          }
        })
        .finally(() => {
          if (client === this.client && this.client) {
            this.keepaliveTimer = setTimeout(tick, interval);
            this.keepaliveTimer.unref();
          }
        });
    };
    this.keepaliveTimer = setTimeout(tick, interval);
    this.keepaliveTimer.unref();
  }

  private route(client: BridgeClient, el: Element): void {
    if (el.name === 'iq') {
      const type = el.attrs['type'];
      if (type === 'result' || type === 'error') this.onReply(el);
      else if (type === 'get' || type === 'set') void this.onQuery(client, el);
    } else if (el.name === 'message') {
      this.hooks.onMessage?.(el);
    } else if (el.name === 'presence') {
      this.hooks.onPresence?.(el);
    }
  }

  private onReply(el: Element): void {
    const id = el.attrs['id'];
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return;
    // Only the entity we asked may answer (or our server, for requests without `to`).
    const from = el.attrs['from'];
    const fromExpected =
      p.to === undefined
        ? from === undefined ||
          from === this.settings.domain ||
          from === this.settings.bare ||
          from === this.bound
        : from === p.to ||
          (from !== undefined && !p.to.includes('/') && from.startsWith(`${p.to}/`));
    if (!fromExpected) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (el.attrs['type'] === 'result') p.resolve(el);
    else {
      const error = el.getChild('error');
      const cond = readCondition(error, NS.stanzas);
      const app = error
        ?.getChildElements()
        .find((c) => c.name !== 'text' && c.getNS() !== NS.stanzas);
      p.reject(
        new IqErrorReply(
          {
            ...cond,
            ...(error?.attrs['type'] ? { type: error.attrs['type'] } : {}),
            ...(app ? { app: app.name } : {}),
          },
          from,
        ),
      );
    }
  }

  private async onQuery(client: BridgeClient, iq: Element): Promise<void> {
    const [payload] = iq.getChildElements();
    const replyTo = {
      ...(iq.attrs['from'] ? { to: iq.attrs['from'] } : {}),
      id: iq.attrs['id'] ?? '',
    };
    let reply: Element;
    let after: (() => Promise<void>) | undefined;
    let abandon: (() => void) | undefined;
    try {
      const handler = payload
        ? this.handlers.get(`${payload.name} ${payload.getNS() ?? ''}`)
        : undefined;
      if (!handler || !payload) throw new StanzaErrorReply('cancel', 'service-unavailable');
      const result = await handler(iq, payload);
      const answer: IqAnswer = result && 'attrs' in result ? { payload: result } : (result ?? {});
      after = answer.after;
      abandon = answer.abandon;
      reply = xml('iq', { type: 'result', ...replyTo }, answer.payload);
    } catch (e) {
      const err =
        e instanceof StanzaErrorReply
          ? e
          : (this.logger.error({ err: e }, 'an XMPP request handler failed'),
            new StanzaErrorReply('wait', 'internal-server-error'));
      reply = xml(
        'iq',
        { type: 'error', ...replyTo },
        xml(
          'error',
          { type: err.type },
          xml(err.condition, { xmlns: NS.stanzas }),
          err.text ? xml('text', { xmlns: NS.stanzas }, err.text) : undefined,
          err.app,
        ),
      );
    }
    // The client may have been replaced by a reconnect meanwhile: the requester's session is gone too.
    if (client !== this.client) {
      abandon?.();
      return;
    }
    try {
      await client.sendElement(reply);
    } catch (e) {
      abandon?.();
      this.logger.warn({ err: e }, 'could not send an XMPP answer');
      return;
    }
    try {
      await after?.();
    } catch (e) {
      this.logger.warn({ err: e }, 'could not finish an XMPP answer');
    }
  }

  /** Sends an IQ and waits for its result; rejects with IqErrorReply, XmppTimeoutError or XmppUnavailableError. */
  request(iq: Element, timeoutMs: number): Promise<Element> {
    const client = this.client;
    if (!client || this.state !== 'online')
      return Promise.reject(new XmppUnavailableError(this.describeOutage()));
    const id = iq.attrs['id'] ?? randomUUID();
    iq.attrs['id'] = id;
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new XmppTimeoutError(timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { to: iq.attrs['to'], resolve, reject, timer });
      client.sendElement(iq).catch((e: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new XmppUnavailableError(`sending failed: ${e.message}`));
      });
    });
  }

  /** Sends a stanza that needs no answer (messages, presence). */
  async send(stanza: Element): Promise<void> {
    const client = this.client;
    if (!client) throw new XmppUnavailableError(this.describeOutage());
    await client.sendElement(stanza);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.keepaliveTimer);
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
