import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Schedules } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { SCHEDULE } from '../schedule.machine.js';
import { ScheduleLookup } from '../schedule-lookup.js';
import { ScheduleRepository } from '../schedule.repository.js';
import { auditScheduleChange } from '../schedule-audit.js';

/**
 * Pauses an active schedule (its owner or an admin of its tenant): its due time is cleared, so no
 * ticker claims it. Pausing a paused one answers it as it is; a done one cannot be paused. Audited.
 */
@Injectable()
export class PauseScheduleUseCase {
  constructor(
    private readonly lookup: ScheduleLookup,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(scheduleId: string, actor: Actor): Promise<Schedules.ScheduleView> {
    const view = await this.lookup.find(scheduleId, actor, 'schedule.pause');
    if (view.status === 'paused') return view;
    const to = SCHEDULE.target(view.status, 'paused');
    // A ticker holding the row finishes its firing first (the update waits for its lock).
    const paused = to && (await this.repository.transition(scheduleId, view.status, to, null));
    if (!paused)
      throw new DomainError('CONFLICT', `schedule ${scheduleId} is ${view.status}: not paused`);
    auditScheduleChange(this.audit, 'schedule.pause', view, actor, { owner: view.userId });
    return paused;
  }
}
