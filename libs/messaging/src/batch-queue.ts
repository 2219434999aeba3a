/**
 * Says, fed each item of a lingering batch once and in order, whether the batch may go now (its
 * answer for the last item counts): a consumer that knows when nothing more belongs with what it
 * holds — every task in it has ended, say — ends the linger there instead of at the timer.
 */
export type BatchCutter<T> = (item: T) => boolean;

/**
 * Items waiting to be handed over in batches: `next()` resolves with up to `maxBatch` items once there
 * is at least one — after lingering up to `lingerMs` for a fuller batch, cut short when the batch
 * fills or when a fresh `cutter` (one per batch) says so — or with an empty batch once closed.
 */
export class BatchQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly maxBatch: number,
    private readonly lingerMs = 0,
    private readonly cutter?: () => BatchCutter<T>,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async next(): Promise<T[]> {
    await this.until(() => this.items.length > 0);
    if (this.lingerMs > 0 && this.items.length < this.maxBatch && !this.closed) {
      let timer: NodeJS.Timeout | undefined;
      const lingered = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.lingerMs)));
      await Promise.race([lingered, this.until(this.fullOrCut())]);
      clearTimeout(timer);
      this.wake = undefined;
    }
    return this.closed && this.items.length === 0 ? [] : this.items.splice(0, this.maxBatch);
  }

  /** Whether the batch is full, or the cutter (fed each new item once) lets it go. */
  private fullOrCut(): () => boolean {
    const cut = this.cutter?.();
    let fed = 0;
    let go = false;
    return () => {
      if (this.items.length >= this.maxBatch) return true;
      if (!cut) return false;
      for (; fed < this.items.length; fed++) go = cut(this.items[fed] as T);
      return go;
    };
  }

  /** Resolves when `condition` holds or the queue is closed; re-checked on every push. */
  private until(condition: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (condition() || this.closed) {
          this.wake = undefined;
          resolve();
        } else this.wake = check;
      };
      check();
    });
  }
}
