import { Injectable } from '@nestjs/common';
import type { Actor, Schedules } from '@switchboard/contracts';
import { audienceOf } from '../../tenancy/tenant-scope.js';
import { ScheduleClock } from '../schedule-clock.js';
import { ScheduleRepository } from '../schedule.repository.js';

/**
 * The active schedules due within `withinMs` of now, soonest first, as the operator CLI lists them
 * (`switchboard schedules due`): the actor's own, an admin's tenant's, the platform operator's
 * every tenant's. `now` and `overdue` are the schedules' clock's (ScheduleClock) — the time the
 * ticker claims by, so a schedule listed as not overdue is one no ticker would have claimed yet.
 */
@Injectable()
export class ListDueSchedulesUseCase {
  constructor(
    private readonly repository: ScheduleRepository,
    private readonly clock: ScheduleClock,
  ) {}

  async execute(
    req: { withinMs: number; limit: number },
    actor: Actor,
  ): Promise<{ now: string; due: Schedules.ScheduleDue[] }> {
    const who = audienceOf(actor);
    const now = this.clock.now();
    const rows = await this.repository.due(
      who.scope,
      who.userId,
      new Date(now.getTime() + req.withinMs),
      req.limit,
    );
    return {
      now: now.toISOString(),
      due: rows.map((r) => ({
        scheduleId: r.id,
        tenantId: r.tenantId,
        userId: r.userId,
        nextDueAt: (r.nextDueAt ?? now).toISOString(),
        overdue: (r.nextDueAt ?? now) <= now,
        ...(r.cron ? { cron: r.cron } : {}),
        ...(r.timezone ? { timezone: r.timezone } : {}),
        task: (r.request as { task?: string }).task ?? '',
      })),
    };
  }
}
