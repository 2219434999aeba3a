// IQs over the live session, both ways. Out: requests whose replies are matched by id and by sender
// (only the entity we asked may answer), with a timeout each, and all rejected at once when the
// connection goes. In: get/set queries dispatched to the handler registered for their payload, the
// result (or the XMPP error) sent back, then whatever the handler still has to send.
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import type { XmppSettings } from '../config/bridge-settings.js';
import { isJidOf } from '@switchboard/config';
import type { BridgeClient } from './bridge.client.js';
import {
  IqErrorReply,
  StanzaErrorReply,
  XmppTimeoutError,
  XmppUnavailableError,
} from './xmpp-connection.errors.js';
import { StanzaTooLargeError } from './stanza.limits.js';
import { NS, readCondition } from './xmpp.namespaces.js';

/** An IQ answer, and what to send once the result is out (e.g. the chunks of a large body). */
export interface IqAnswer {
  payload?: Element;
  after?: () => Promise<void>;
  /**
   * Called instead of `after` when the result could not be sent (to release what `after` holds):
   * the session went, or the result is over the server's stanza limit (the requester then gets
   * `<not-acceptable/>` instead).
   */
  abandon?: (why: Error) => void;
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

/** The connection as the exchange sees it: both change over the session's life. */
export interface IqSession {
  /** The client stanzas go out on now (a reconnect replaces it). */
  client(): BridgeClient | undefined;
  boundJid(): string | undefined;
}

export class IqExchange {
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, IqHandler>();

  constructor(
    private readonly settings: Pick<XmppSettings, 'bare' | 'domain'>,
    private readonly logger: Logger,
    private readonly session: IqSession,
  ) {}

  /** Registers the answer to IQ get/set requests whose payload is `<name xmlns=ns>`. */
  handle(ns: string, name: string, handler: IqHandler): void {
    this.handlers.set(`${name} ${ns}`, handler);
  }

  /** Sends an IQ on `client` and waits for its result (the caller checked the session is online). */
  request(client: BridgeClient, iq: Element, timeoutMs: number): Promise<Element> {
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
        // Too large is this request's own fault: the session is fine.
        reject(
          e instanceof StanzaTooLargeError
            ? e
            : new XmppUnavailableError(`sending failed: ${e.message}`),
        );
      });
    });
  }

  /** The connection is gone: every request still waiting fails with `error`. */
  rejectAll(error: XmppUnavailableError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }

  /** `jid` went offline (a full JID, or bare for all its resources): requests to it fail with `error`. */
  rejectTo(jid: string, error: Error): void {
    for (const [id, p] of this.pending) {
      if (p.to === undefined || !isJidOf(p.to, jid)) continue;
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }

  /** An IQ of type result or error: settles the request it answers. */
  onReply(el: Element): void {
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
          from === this.session.boundJid()
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

  /** An IQ of type get or set that arrived on `client`: answers it there. */
  async onQuery(client: BridgeClient, iq: Element): Promise<void> {
    const [payload] = iq.getChildElements();
    const replyTo = {
      ...(iq.attrs['from'] ? { to: iq.attrs['from'] } : {}),
      id: iq.attrs['id'] ?? '',
    };
    let reply: Element;
    let after: (() => Promise<void>) | undefined;
    let abandon: ((why: Error) => void) | undefined;
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
      reply = errorReply(replyTo, this.stanzaError(e));
    }
    // The client may have been replaced by a reconnect meanwhile: the requester's session is gone too.
    if (client !== this.session.client()) {
      abandon?.(new XmppUnavailableError('the XMPP session was replaced before the answer left'));
      return;
    }
    try {
      await client.sendElement(reply);
    } catch (e) {
      abandon?.(e as Error);
      if (e instanceof StanzaTooLargeError) {
        // The answer cannot be carried; the requester learns why instead of waiting for its timeout.
        const refusal = new StanzaErrorReply(
          'modify',
          'not-acceptable',
          `the answer (${e.bytes} bytes) exceeds the XMPP server's stanza limit of ${e.limit} bytes`,
          xml('stanza-too-big', { xmlns: NS.errors }),
        );
        await client.sendElement(errorReply(replyTo, refusal)).catch(() => undefined);
        return;
      }
      this.logger.warn({ err: e }, 'could not send an XMPP answer');
      return;
    }
    try {
      await after?.();
    } catch (e) {
      this.logger.warn({ err: e }, 'could not finish an XMPP answer');
    }
  }

  private stanzaError(e: unknown): StanzaErrorReply {
    if (e instanceof StanzaErrorReply) return e;
    this.logger.error({ err: e }, 'an XMPP request handler failed');
    return new StanzaErrorReply('wait', 'internal-server-error');
  }
}

function errorReply(replyTo: { to?: string; id: string }, err: StanzaErrorReply): Element {
  return xml(
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
