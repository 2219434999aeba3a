import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { PeriodicJob } from '@switchboard/runtime';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { ScheduleClock } from '../schedule-clock.js';
import { ScheduleMetrics } from '../schedule.metrics.js';
import { planFiring } from '../schedule-plan.js';
import { type DueFiring, ScheduleRepository } from '../schedule.repository.js';
import { ScheduleSubmitter } from './schedule-submitter.js';

/** The most schedules one tick claims (the rest wait for the next tick, or another replica). */
const CLAIM_BATCH = 100;
/** How old an unpublished firing must be before a ticker publishes it again (its claimer died). */
export const REPUBLISH_AFTER_MS = 30_000;

/**
 * Fires the schedules that are due (docs/schedules.md), exactly once per due time however many
 * replicas tick, across restarts. Every SCHEDULE_TICK_MS each replica, in one transaction, locks the
 * due schedules no other replica holds (`FOR UPDATE SKIP LOCKED`), records a firing per due time
 * (unique on schedule + due time) with the id of the task it submits, and moves each schedule's due
 * time on; then, after the commit, it publishes the tasks.
 *
 * Why commit first and publish second: the firing row is the outbox. Published first, a crash before
 * the commit would leave a task on the stream and the schedule still due, and the next claim would
 * record the firing again — two tasks unless the stream's duplicate window still held the first.
 * Committed first, a crash before the publish leaves a firing with no `publishedAt`, which any
 * replica's tick publishes again after REPUBLISH_AFTER_MS; and a publish that did happen (the crash
 * came after it, before `publishedAt` was written) is the same Nats-Msg-Id and task id, dropped by
 * JetStream or by the task's claim. So a due time yields one task, never zero and never two.
 */
@Injectable()
export class FireSchedulesUseCase implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: PeriodicJob;
  /**
   * Firings this replica claimed that wait for their tenant's quota (ScheduleSubmitter), by task id:
   * tried again at every tick. Lost with the replica, they are still unpublished rows, which any
   * replica's tick takes up after REPUBLISH_AFTER_MS.
   */
  private readonly waiting = new Map<string, DueFiring>();

  constructor(
    private readonly repository: ScheduleRepository,
    private readonly submitter: ScheduleSubmitter,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      OrchestratorEnv,
      'SCHEDULE_TICK_MS' | 'SCHEDULE_MISFIRE_GRACE_MS'
    >,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: ScheduleClock,
    private readonly metrics: ScheduleMetrics,
  ) {
    this.job = new PeriodicJob(
      this.config.SCHEDULE_TICK_MS,
      async () => {
        await this.tick();
        this.metrics.ticks.inc({ outcome: 'ok' });
      },
      (e) => {
        this.metrics.ticks.inc({ outcome: 'failed' });
        this.logger.warn({ err: e }, 'schedule tick failed; the next one retries');
      },
    );
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.job.stop();
  }

  /**
   * One tick at the schedules' clock's time: claim and fire what is due, then try again the firings
   * waiting for their tenant's quota, and publish what an earlier claimer left unpublished.
   */
  async tick(): Promise<number> {
    const now = this.clock.now();
    const grace = this.config.SCHEDULE_MISFIRE_GRACE_MS;
    const fired = await this.repository.claimDue(now, CLAIM_BATCH, (t) =>
      planFiring(t, now, grace),
    );
    const stale = await this.repository.unpublished(
      new Date(now.getTime() - REPUBLISH_AFTER_MS),
      CLAIM_BATCH,
    );
    const all = new Map([...fired, ...this.waiting.values(), ...stale].map((f) => [f.taskId, f]));
    this.waiting.clear();
    for (const f of all.values()) await this.publish(f);
    return fired.length;
  }

  /**
   * A failed publish is left for a later tick's republish: the firing row remembers it. Each one
   * reads the clock again: a tick publishing many firings takes time, and the quota wait measures
   * it.
   */
  private async publish(f: DueFiring): Promise<void> {
    try {
      if ((await this.submitter.submit(f, this.clock.now())) === 'waiting')
        this.waiting.set(f.taskId, f);
    } catch (e) {
      this.logger.warn(
        { err: e, scheduleId: f.scheduleId, taskId: f.taskId },
        'could not submit a scheduled task; a later tick publishes it again',
      );
    }
  }
}
