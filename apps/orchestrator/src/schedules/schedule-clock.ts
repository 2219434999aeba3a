import type { Provider } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { readFileSync } from 'node:fs';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

/**
 * The schedules' time source (docs/schedules.md, "The schedules' clock"). Every reading of the time
 * in schedules goes through it: the ticker's claims and the misfire grace, a new or resumed
 * schedule's first due time, a firing's wait for its tenant's quota, the due list. Production runs
 * the system clock; a test names SCHEDULE_CLOCK_FILE and moves the time of every replica at once,
 * so the same ticker, on the same database, fires without the test waiting for a minute boundary.
 *
 * An abstract class rather than an interface so it is its own DI token.
 */
export abstract class ScheduleClock {
  abstract now(): Date;
}

/** The machine's clock: what production runs. */
export class SystemScheduleClock extends ScheduleClock {
  now(): Date {
    return new Date();
  }
}

/** SCHEDULE_CLOCK_FILE cannot be read, or holds something other than an offset in milliseconds. */
export class ScheduleClockFileError extends Error {
  override readonly name = 'ScheduleClockFileError';
}

/** An offset in milliseconds: an integer of at most 13 digits (±317 years), optionally signed. */
const OFFSET = /^[+-]?\d{1,13}$/;

/**
 * The wall clock plus an offset in milliseconds read from `file` at every reading. Read each time,
 * not once, so a test that rewrites the file moves every replica sharing it — a replica restarted
 * meanwhile included — on its next reading. An offset rather than a fixed time so time goes on
 * flowing between readings, as in production: the misfire grace, a quota wait and the republish of
 * a stalled firing measure real elapsed time. A missing file is offset 0 (a test that has not moved
 * the clock yet); anything else that is not an integer is an error naming the setting — never a
 * silent 0, which would leave a test waiting for a firing that is not coming.
 */
export class OffsetFileScheduleClock extends ScheduleClock {
  constructor(
    private readonly file: string,
    private readonly wallMs: () => number = Date.now,
  ) {
    super();
  }

  now(): Date {
    // The offset first: a slow read must not make the reading older than the file says.
    const offset = this.offset();
    return new Date(this.wallMs() + offset);
  }

  /** The file's offset in milliseconds (0 when there is no file). */
  offset(): number {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw new ScheduleClockFileError(
        `SCHEDULE_CLOCK_FILE (${this.file}) cannot be read: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const value = text.trim();
    if (!OFFSET.test(value))
      throw new ScheduleClockFileError(
        `SCHEDULE_CLOCK_FILE (${this.file}) must hold an offset in milliseconds, an integer such as 60000; it holds ${JSON.stringify(value.slice(0, 40))}`,
      );
    return Number(value);
  }
}

/** The clock SCHEDULE_CLOCK_FILE asks for: the system clock when it is unset. */
export function scheduleClockFor(
  config: Pick<OrchestratorEnv, 'SCHEDULE_CLOCK_FILE'>,
  logger?: Pick<Logger, 'warn'>,
): ScheduleClock {
  const file = config.SCHEDULE_CLOCK_FILE;
  if (!file) return new SystemScheduleClock();
  const clock = new OffsetFileScheduleClock(file);
  // Read once now: a malformed file stops the orchestrator at boot, not at its first tick.
  const offset = clock.offset();
  logger?.warn(
    { file, offsetMs: offset },
    "SCHEDULE_CLOCK_FILE is set: the schedules' clock is the wall clock plus the offset in that file (for tests only)",
  );
  return clock;
}

/** The ScheduleClock the orchestrator's module provides. */
export const scheduleClockProvider: Provider = {
  provide: ScheduleClock,
  inject: [APP_CONFIG, LOGGER],
  useFactory: (config: OrchestratorEnv, logger: Logger) => scheduleClockFor(config, logger),
};
