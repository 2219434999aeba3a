/**
 * A job every replica runs on a timer (a sweep, a tick): never two runs of it at once in one process
 * (a slow run makes the next interval skip, not pile up), a failed run logged and retried by the next
 * one, the timer never keeping the process alive, and `stop()` waiting for the run in progress so a
 * shutdown does not cut it in half. A job that new work also triggers is `kick`ed: a kick during a run
 * asks for one more run after it (the run may have read before the work was stored), never a second
 * run at once.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly run: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  /** One run now, unless one is in progress (then that one). */
  runOnce(): Promise<void> {
    this.running ??= this.run()
      .then(() => undefined)
      .catch((e: unknown) => this.onError(e))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
    return this.running;
  }

  /**
   * A run as soon as it can be: now, or once the run in progress has ended (however many kicks came
   * during it: one run more). Nothing once stopped.
   */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else void this.runOnce();
  }

  /** No timer and no kick from now on; settles once the run in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}

/** How far one sweep drains: at most `maxBatches` batches, and no further once `stopped()` says so. */
export interface DrainLimits {
  maxBatches?: number;
  stopped?: () => boolean;
}

/**
 * A sweep's batches: `batch` again and again until one comes back short (fewer rows than `size`),
 * says to stop (undefined: the rest waits for the next sweep), or the limits are reached. Each batch
 * is its own statement, so a sweep after a long pause never holds one huge transaction.
 */
export async function drainBatches(
  batch: () => Promise<number | undefined>,
  size: number,
  limits: DrainLimits = {},
): Promise<void> {
  for (let n = 0; n < (limits.maxBatches ?? Infinity); n++) {
    const rows = await batch();
    if (rows === undefined || rows < size || limits.stopped?.()) return;
  }
}
