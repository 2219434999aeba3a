// What the live XMPP session rejects requests with, and what an IQ handler throws to answer with an
// XMPP error. xmpp-connection.ts re-exports them: importers keep a single place to import from.
import type { Element } from '@xmpp/xml';
import type { XmppCondition } from './login.errors.js';

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
