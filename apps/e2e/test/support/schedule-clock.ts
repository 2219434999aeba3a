import { disposableTempDir, waitFor } from '@switchboard/testing';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The schedules' clock of a stack under test (docs/schedules.md, "The schedules' clock"): the file
 * the orchestrators' SCHEDULE_CLOCK_FILE names, holding the offset in milliseconds they add to the
 * wall clock. Moving it moves the schedules of every replica at once — a replica restarted
 * meanwhile too; the ticker that then claims a due schedule, the database and the submission are
 * the real ones. Until the first move there is no file: offset 0, the wall clock.
 */
export class ScheduleTestClock {
  private readonly dir = disposableTempDir('schedule-clock');
  readonly file = join(this.dir.path, 'offset-ms');
  private offsetMs = 0;

  /** The orchestrators' environment for this clock. */
  get env(): { SCHEDULE_CLOCK_FILE: string } {
    return { SCHEDULE_CLOCK_FILE: this.file };
  }

  /** The schedules' time now (ms since the epoch), as every orchestrator reads it. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /**
   * Moves the schedules' time forward to `t` (ms since the epoch), unless it is there already; it
   * goes on flowing from there. Never backwards: a firing's time stays in the past. The file is
   * written whole and renamed over the old one, so a replica reading it at that moment reads the
   * old offset or the new one, never half a file (which it would refuse).
   */
  advanceTo(t: number): void {
    const offset = Math.ceil(t - Date.now());
    if (offset <= this.offsetMs) return;
    writeFileSync(`${this.file}.next`, String(offset));
    renameSync(`${this.file}.next`, this.file);
    this.offsetMs = offset;
  }

  remove(): void {
    this.dir.remove();
  }
}

/** The ticks the orchestrator at `url` ran so far: `sb_schedule_ticks_total{outcome="ok"}` of its /metrics. */
async function ticksOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = /^sb_schedule_ticks_total\{[^}]*outcome="ok"[^}]*\} (\d+)$/m.exec(text);
  return Number(line?.[1] ?? 0);
}

/**
 * Waits until each orchestrator at `urls` has run `n` whole ticks from now: its count rises by n +
 * 1, as the tick in progress when it was read may have begun before.
 */
export async function waitForTicks(urls: string[], n: number): Promise<void> {
  const start = await Promise.all(urls.map(ticksOf));
  await waitFor(
    async () =>
      (await Promise.all(urls.map(ticksOf))).every((c, i) => c >= (start[i] ?? 0) + n + 1),
    { timeoutMs: 60_000, intervalMs: 100, what: `${n} whole ticks of every orchestrator` },
  );
}
