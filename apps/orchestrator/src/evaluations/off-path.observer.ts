import type { Logger } from '@switchboard/observability';
import type { EndedTask, TaskObserver } from '../tasks/index.js';
import { OffPath } from './off-path.js';

/**
 * A task observer whose work runs off the task's path (OffPath): `ended` starts it and returns at
 * once, so the task's end never waits for it; a failure is only logged, as a warning saying what
 * failed. Replays and forks are told to no observer.
 */
export abstract class OffPathObserver implements TaskObserver {
  /** The work under way, so a test (or shutdown) can wait for it. */
  readonly work: OffPath;

  protected constructor(logger: Logger, failure: string) {
    this.work = new OffPath((e) => logger.warn({ err: e }, failure));
  }

  ended(task: EndedTask): Promise<void> {
    this.work.start(() => this.onEnded(task));
    return Promise.resolve();
  }

  /** What the observer does for a task that ended, off its path. */
  protected abstract onEnded(task: EndedTask): Promise<void>;
}
