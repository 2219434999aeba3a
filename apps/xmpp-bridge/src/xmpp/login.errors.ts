import type { Xmpp } from '@switchboard/contracts';

type LoginPhase = Xmpp.LoginPhase;

/** An XMPP error element (stream, SASL or stanza error): its condition and text. */
export interface XmppCondition {
  condition: string;
  text?: string;
}

/** One SASL mechanism tried during a login, and how it went. */
export interface SaslAttempt {
  mechanism: string;
  ok: boolean;
  /** The server's failure condition, or our own reason (e.g. a wrong server signature). */
  condition?: string;
  text?: string;
}

/** What went wrong, before it is diagnosed. */
export type LoginCause =
  | { type: 'socket'; code?: string; message: string }
  | { type: 'stream-error'; error: XmppCondition; seeOtherHost?: string }
  | {
      type: 'sasl';
      attempts: SaslAttempt[];
      offered: string[];
      skipped: { name: string; why: string }[];
      impostor?: boolean;
    }
  | { type: 'stanza-error'; error: XmppCondition }
  | { type: 'timeout'; ms: number }
  | { type: 'closed'; bytesReceived: number; tlsRecord: boolean; firstBytes?: Buffer }
  | { type: 'not-xmpp'; firstBytes: Buffer }
  | { type: 'xml'; message: string }
  | { type: 'refused'; kind: string; said: string; hint: string };

/** A failed login step: the phase it failed in, and the cause. */
export class LoginStepError extends Error {
  constructor(
    readonly phase: LoginPhase,
    readonly detail: LoginCause,
  ) {
    super(`${phase}: ${detail.type}`);
    this.name = 'LoginStepError';
  }
}

/** A login that failed, diagnosed; `failure.line` is the one line that says it all. */
export class LoginFailedError extends Error {
  constructor(
    readonly failure: Xmpp.LoginFailure,
    readonly steps: readonly LoginStep[],
  ) {
    super(failure.line);
    this.name = 'LoginFailedError';
  }
}

/** One entry of the phase-by-phase report (the doctor prints these). */
export interface LoginStep {
  phase: LoginPhase;
  ok: boolean;
  ms: number;
  detail: string;
}
