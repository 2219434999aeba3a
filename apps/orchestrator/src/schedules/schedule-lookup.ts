import { Injectable } from '@nestjs/common';
import type { Actor, Schedules } from '@switchboard/contracts';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { audienceOf, scheduleNotFound } from './schedule-access.js';
import { ScheduleRepository } from './schedule.repository.js';

/**
 * Finds a schedule for someone: its owner, an admin of its tenant, or the platform operator. Anyone
 * else gets NOT_FOUND, as for a schedule that does not exist (ids cannot be probed); an attempt on
 * another tenant's is audited as denied.
 */
@Injectable()
export class ScheduleLookup {
  constructor(
    private readonly repository: ScheduleRepository,
    private readonly refusals: TenantRefusals,
  ) {}

  async find(scheduleId: string, actor: Actor, action: string): Promise<Schedules.ScheduleView> {
    const who = audienceOf(actor);
    const view = await this.repository.get(scheduleId, who.scope);
    if (view && (!who.userId || view.userId === who.userId)) return view;
    void this.refusals.ifElsewhere(actor, () => this.repository.tenantOfSchedule(scheduleId), {
      category: 'schedule',
      action,
      resource: scheduleId,
    });
    throw scheduleNotFound(scheduleId);
  }

  /** A schedule's kept firings, newest first, for whoever may see the schedule. */
  async firings(scheduleId: string, actor: Actor): Promise<Schedules.ScheduleFiringView[]> {
    await this.find(scheduleId, actor, 'schedule.firings');
    return this.repository.firings(scheduleId);
  }
}
