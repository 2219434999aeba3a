import { Injectable } from '@nestjs/common';
import type { Actor, Schedules } from '@switchboard/contracts';
import { OwnedLookup } from '../tenancy/owned-lookup.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { scheduleNotFound } from './schedule-access.js';
import { ScheduleRepository } from './schedule.repository.js';

/**
 * Finds a schedule for someone (OwnedLookup: its owner, an admin of its tenant, or the platform
 * operator; anyone else gets NOT_FOUND, and an attempt on another tenant's is audited as denied).
 */
@Injectable()
export class ScheduleLookup extends OwnedLookup<Schedules.ScheduleView> {
  constructor(
    private readonly repository: ScheduleRepository,
    refusals: TenantRefusals,
  ) {
    super(refusals, repository, { category: 'schedule', notFound: scheduleNotFound });
  }

  /** A schedule's kept firings, newest first, for whoever may see the schedule. */
  async firings(scheduleId: string, actor: Actor): Promise<Schedules.ScheduleFiringView[]> {
    await this.find(scheduleId, actor, 'schedule.firings');
    return this.repository.firings(scheduleId);
  }
}
