import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Schedules } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { ScheduleClock } from '../schedule-clock.js';
import { firstDueAt } from '../schedule-plan.js';
import { SCHEDULE } from '../schedule.machine.js';
import { ScheduleLookup } from '../schedule-lookup.js';
import { ScheduleRepository } from '../schedule.repository.js';
import { auditScheduleChange } from '../schedule-audit.js';

/**
 * Resumes a paused schedule from now (its owner or an admin of its tenant): its next due time is
 * the first after now on the schedules' clock (ScheduleClock), so what it missed while paused does
 * not run — pausing means "not then". A one-shot whose time passed while it was paused cannot
 * resume (CONFLICT). Resuming an active one answers it as it is. Audited.
 */
@Injectable()
export class ResumeScheduleUseCase {
  constructor(
    private readonly lookup: ScheduleLookup,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
    private readonly clock: ScheduleClock,
  ) {}

  async execute(scheduleId: string, actor: Actor): Promise<Schedules.ScheduleView> {
    const view = await this.lookup.find(scheduleId, actor, 'schedule.resume');
    if (view.status === 'active') return view;
    const to = SCHEDULE.target(view.status, 'resumed');
    const next = firstDueAt(
      {
        cron: view.cron ?? null,
        timezone: view.timezone ?? null,
        at: view.at ? new Date(view.at) : null,
      },
      this.clock.now(),
    );
    if (!to || !next)
      throw new DomainError(
        'CONFLICT',
        `schedule ${scheduleId} is ${view.status}${next ? '' : ' and has no time left'}: not resumed`,
      );
    const resumed = await this.repository.transition(scheduleId, view.status, to, next);
    if (!resumed) throw new DomainError('CONFLICT', `schedule ${scheduleId} changed meanwhile`);
    auditScheduleChange(this.audit, 'schedule.resume', view, actor, {
      owner: view.userId,
      nextDueAt: resumed.nextDueAt,
    });
    return resumed;
  }
}
