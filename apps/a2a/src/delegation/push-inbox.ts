import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { A2a, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import {
  type BusMessage,
  type BusSubscription,
  decodeJson,
  encodeJson,
  NatsBus,
  readMeta,
  toErrorBody,
  unwrapEnvelope,
} from '@switchboard/messaging';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { A2aEnv } from '../config/a2a.env.js';
import type { DelegationRun } from './delegation-run.js';
import type { PushTarget } from './remote-agent.port.js';

/** One push-mode delegation's mailbox: where the agent notifies, and the wait for its next notice. */
export interface PushWaiter {
  readonly target: PushTarget;
  /**
   * Resolves `notified` once a notification was accepted since the last call (at once if one was),
   * or `quiet` after `ms` without one; rejects when `signal` aborts.
   */
  next(ms: number, signal: AbortSignal): Promise<'notified' | 'quiet'>;
  /** How many notifications were accepted so far. */
  readonly notifications: number;
  close(): void;
}

/**
 * Push notifications of remote agents, as the gateway forwards them (A2a.DelegationNotified). Each
 * push-mode delegation gets a callback URL naming it and a random token (32 bytes) known only to this
 * replica, which subscribes to the delegation's own subject for as long as it runs — so exactly the
 * replica running it answers, and nobody for a delegation that is not running. A notification counts
 * only with the token (compared as sha256, in constant time) and about the delegation's own remote
 * task; it only wakes the delegation, which then reads the task with GetTask (the notification's body
 * is never taken for the task's state). Tokens are never logged.
 */
@Injectable()
export class PushInbox {
  constructor(
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG)
    private readonly config: Pick<A2aEnv, 'A2A_PUSH_CALLBACK_URL' | 'A2A_PUSH_SAFETY_POLL_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The public callback base is configured: push-capable agents can be asked to notify. */
  get enabled(): boolean {
    return this.config.A2A_PUSH_CALLBACK_URL !== undefined;
  }

  get safetyPollMs(): number {
    return this.config.A2A_PUSH_SAFETY_POLL_MS;
  }

  /**
   * Opens the mailbox of `run`: its subject is served once this resolves (the subscription reached
   * the server, before the agent can hear of the URL) until `close`.
   */
  async open(run: DelegationRun): Promise<PushWaiter> {
    const base = this.config.A2A_PUSH_CALLBACK_URL;
    if (!base) throw new Error('push notifications are not configured (A2A_PUSH_CALLBACK_URL)');
    const token = randomBytes(32).toString('base64url');
    const mailbox = new Mailbox(
      { url: `${base}/a2a/notifications/${run.delegationId}`, token },
      sha256(token),
    );
    const subject = A2a.DelegationNotified.subjectOf({
      delegationId: run.delegationId,
      tokenHash: '0'.repeat(64),
    });
    const subscription: BusSubscription = this.bus.subscribeRaw(subject, (msg) =>
      this.receive(msg, run, mailbox),
    );
    // Answered NOT_FOUND for a moment after the delegation ends, then no longer served: an agent's
    // last notification, sent as the delegation ends, meets an answer instead of a subscription the
    // server still routes to while this process already drops its messages (a 504 at the gateway).
    mailbox.onClose(() => setTimeout(() => subscription.unsubscribe(), CLOSED_GRACE_MS).unref());
    try {
      await subscription.ready;
    } catch (e) {
      mailbox.close();
      throw e;
    }
    return mailbox;
  }

  private receive(msg: BusMessage, run: DelegationRun, mailbox: Mailbox): void {
    if (!msg.reply) return;
    const { correlationId } = readMeta(msg.subject, msg.headers);
    let id: unknown;
    const answer = (body: { response: unknown } | { err: unknown }) =>
      msg.respond(encodeJson({ ...body, ...(id === undefined ? {} : { id }), isDisposed: true }));
    const refuse = (e: DomainError) => answer({ err: toErrorBody(e, correlationId).body });
    let raw: unknown;
    try {
      raw = decodeJson(msg.data);
      id = (raw as { id?: unknown } | null)?.id;
    } catch {
      refuse(new DomainError('VALIDATION', 'the notification request is not JSON'));
      return;
    }
    const parsed = A2a.DelegationNotified.request.safeParse(unwrapEnvelope(raw));
    if (!parsed.success || parsed.data.delegationId !== run.delegationId) {
      refuse(new DomainError('VALIDATION', `invalid notification for ${run.delegationId}`));
      return;
    }
    if (mailbox.closed) {
      refuse(new DomainError('NOT_FOUND', `delegation ${run.delegationId} no longer waits`));
      return;
    }
    const refusal = mailbox.refusal(parsed.data, run.remoteTaskId);
    if (refusal) {
      this.logger.warn(
        { delegationId: run.delegationId, agent: run.agent, code: refusal.code },
        'a push notification was refused',
      );
      refuse(refusal);
      return;
    }
    mailbox.notified();
    this.logger.debug(
      { delegationId: run.delegationId, agent: run.agent, remoteTaskId: run.remoteTaskId },
      'push notification accepted',
    );
    answer({ response: { accepted: true } });
  }
}

class Mailbox implements PushWaiter {
  private pending = false;
  private wake: (() => void) | undefined;
  private closers: (() => void)[] = [];
  notifications = 0;

  constructor(
    readonly target: PushTarget,
    private readonly tokenHash: Buffer,
  ) {}

  /** Why `notice` does not count: a wrong token, or another task than the delegation's. */
  refusal(notice: A2a.DelegationNotifiedRequest, remoteTaskId: string | undefined) {
    const given = Buffer.from(notice.tokenHash, 'hex');
    if (given.length !== this.tokenHash.length || !timingSafeEqual(given, this.tokenHash))
      return new DomainError('UNAUTHORIZED', 'the notification token does not match');
    if (notice.remoteTaskId && remoteTaskId && notice.remoteTaskId !== remoteTaskId)
      return new DomainError(
        'FORBIDDEN',
        "the notification names another task than the delegation's",
      );
    return undefined;
  }

  notified(): void {
    this.notifications++;
    this.pending = true;
    this.wake?.();
  }

  next(ms: number, signal: AbortSignal): Promise<'notified' | 'quiet'> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.pending) {
      this.pending = false;
      return Promise.resolve('notified');
    }
    return new Promise((resolve, reject) => {
      const done = (outcome: 'notified' | 'quiet' | Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(() => done('quiet'), ms);
      const onAbort = () => done(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => {
        this.pending = false;
        done('notified');
      };
    });
  }

  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  /** The delegation ended: notifications are answered NOT_FOUND until the subject goes. */
  closed = false;

  close(): void {
    this.closed = true;
    for (const fn of this.closers.splice(0)) fn();
  }
}

/** How long an ended delegation's subject still answers (NOT_FOUND) before it is unsubscribed. */
const CLOSED_GRACE_MS = 2_000;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
