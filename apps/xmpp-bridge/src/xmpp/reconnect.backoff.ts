// When to try logging in again after the session went: exponential backoff with decorrelated jitter
// (cockatiel), from the initial delay up to the cap, so bridges that lost the same server do not
// come back in lockstep. A successful login starts the next outage from the initial delay again.
import { decorrelatedJitterGenerator, ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { XmppSettings } from '../config/bridge-settings.js';

export class ReconnectBackoff {
  private readonly factory: ExponentialBackoff<unknown>;
  private backoff: IBackoff<unknown> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(reconnect: XmppSettings['reconnect']) {
    this.factory = new ExponentialBackoff({
      initialDelay: reconnect.initialMs,
      maxDelay: reconnect.maxMs,
      generator: decorrelatedJitterGenerator,
    });
  }

  /** Runs `attempt` after the next delay (replacing an attempt already scheduled). */
  schedule(attempt: () => void): void {
    this.backoff = this.backoff ? this.backoff.next(undefined) : this.factory.next();
    const delay = Math.round(this.backoff.duration);
    clearTimeout(this.timer);
    // Unref'd: a process that is otherwise done does not stay up only to reconnect.
    this.timer = setTimeout(attempt, delay);
    this.timer.unref();
  }

  /** Logged in: the next outage starts from the initial delay. */
  reset(): void {
    this.backoff = undefined;
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
