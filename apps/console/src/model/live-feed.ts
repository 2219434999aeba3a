import type { LiveMessage } from '@switchboard/client';

/** One message of GET /live. */
export type { LiveMessage };

export interface LiveEntry extends LiveMessage {
  /** Position since the view connected (the SSE id). */
  n: number;
}

/**
 * What the Live view shows: the newest `capacity` messages. While paused, arriving messages wait
 * (within the same capacity) and the shown list stays still, so a message can be read and expanded;
 * resuming shows what arrived meanwhile.
 */
export class LiveFeed {
  private shown: LiveEntry[] = [];
  private waiting: LiveEntry[] = [];
  private paused = false;
  /** Messages the gateway left out (slow reader) or that fell out of the capacity while paused. */
  missed = 0;

  constructor(private readonly capacity = 1_000) {}

  get entries(): readonly LiveEntry[] {
    return this.shown;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get pending(): number {
    return this.waiting.length;
  }

  push(entry: LiveEntry): void {
    this.missed += entry.dropped ?? 0;
    if (this.paused) {
      this.waiting.push(entry);
      if (this.waiting.length > this.capacity) {
        this.missed += this.waiting.length - this.capacity;
        this.waiting = this.waiting.slice(-this.capacity);
      }
      return;
    }
    this.shown = [...this.shown, entry].slice(-this.capacity);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.shown = [...this.shown, ...this.waiting].slice(-this.capacity);
    this.waiting = [];
  }

  clear(): void {
    this.shown = [];
    this.waiting = [];
    this.missed = 0;
  }
}
