import type { Logger } from '@switchboard/observability';
import { type BackoffSettings, retryWithBackoff } from './retry.policy.js';

export interface ConsumerHandle {
  stop(): Promise<void>;
  /**
   * Readiness of the consumer: resolves while its pull loop runs and the server knows its durable;
   * throws (saying why) while either is not so. A missing durable is recreated.
   */
  check(): Promise<void>;
}

/** One pull loop over a durable consumer. */
export interface PullSession {
  /** Settles when the loop has ended: after close(), or on its own (the client gave up). */
  readonly ended: Promise<unknown>;
  /** Stops pulling; messages being handled are not waited for. */
  close(): Promise<void>;
}

export interface SupervisorOptions {
  /** Names the consumer in logs and readiness details, e.g. `durable "audit" on SB_AUDIT`. */
  label: string;
  /**
   * Creates the durable if it is missing and starts pulling. `lost` is for the session to call when the
   * server reports the durable (or its stream) gone.
   */
  open(lost: (why: string) => void): Promise<PullSession>;
  /** Whether the server knows the durable (consumer info); throws when it cannot tell. */
  exists(): Promise<boolean>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Waits between attempts to reopen (default: from ~250 ms, doubling, capped at 5 s). */
  reopenBackoff?: BackoffSettings;
}

const DEFAULT_REOPEN_BACKOFF: BackoffSettings = { initialDelayMs: 250, maxDelayMs: 5_000 };

/**
 * Keeps one durable consumer pulling. When its pull loop ends without stop(), or the server reports
 * the durable deleted or missing (also found by check()), it recreates the durable and starts a new
 * loop, retrying with backoff until it works. check() fails for as long as the consumer is down.
 */
export class ConsumerSupervisor implements ConsumerHandle {
  private session: PullSession | undefined;
  private generation = 0;
  private down: string | undefined;
  private stopping = false;
  private reopening: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  private constructor(private readonly opts: SupervisorOptions) {}

  /** Opens the first session; a failure here is thrown (the service cannot start without it). */
  static async start(opts: SupervisorOptions): Promise<ConsumerSupervisor> {
    const supervisor = new ConsumerSupervisor(opts);
    await supervisor.open();
    return supervisor;
  }

  async check(): Promise<void> {
    if (this.stopping) throw new Error(`${this.opts.label} is stopped`);
    if (this.down !== undefined) throw new Error(`${this.opts.label}: ${this.down}`);
    if (!(await this.opts.exists())) {
      this.lost(this.generation, 'its durable is missing on the server');
      throw new Error(`${this.opts.label}: its durable is missing on the server (recreating it)`);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.reopening;
    const session = this.session;
    this.session = undefined;
    if (session) {
      await session.close();
      await session.ended;
    }
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    const session = await this.opts.open((why) => this.lost(generation, why));
    if (this.stopping) {
      await session.close();
      return;
    }
    this.session = session;
    this.down = undefined;
    void session.ended.then(() => this.lost(generation, 'its pull loop ended'));
  }

  /** Marks the consumer down and reopens it, unless the report is about an older session. */
  private lost(generation: number, why: string): void {
    if (this.stopping || generation !== this.generation) return;
    if (this.down === undefined)
      this.opts.logger.warn({ consumer: this.opts.label, reason: why }, 'durable consumer lost');
    this.down = why;
    this.reopening ??= this.reopen().finally(() => {
      this.reopening = undefined;
      // Lost again between the last attempt and now: go again.
      if (this.down !== undefined && !this.stopping) this.lost(this.generation, this.down);
    });
  }

  /** Tries to open a new session until one opens, the consumer is back anyway, or stop() is called. */
  private async reopen(): Promise<void> {
    const stopped = new AbortController();
    this.wake = () => stopped.abort();
    let attempt = 0;
    await retryWithBackoff(
      async () => {
        if (this.down === undefined || this.stopping) return;
        const old = this.session;
        this.session = undefined;
        // The old loop may be waiting for a handler to finish; it is not waited for.
        void old?.close().catch(() => undefined);
        attempt++;
        try {
          await this.open();
        } catch (e) {
          this.down = `cannot be recreated: ${(e as Error).message}`;
          this.opts.logger.error(
            { err: e, consumer: this.opts.label, attempt },
            'could not recreate the durable consumer; retrying',
          );
          throw e;
        }
        if (this.down === undefined)
          this.opts.logger.info({ consumer: this.opts.label }, 'durable consumer recreated');
      },
      { backoff: this.opts.reopenBackoff ?? DEFAULT_REOPEN_BACKOFF, signal: stopped.signal },
    ).catch(() => undefined); // only stop() ends the retries
  }
}
