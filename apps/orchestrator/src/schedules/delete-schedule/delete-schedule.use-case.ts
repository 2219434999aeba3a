import { Injectable } from '@nestjs/common';
import type { Actor } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { scheduleNotFound } from '../schedule-access.js';
import { ScheduleLookup } from '../schedule-lookup.js';
import { ScheduleRepository } from '../schedule.repository.js';
import { auditScheduleChange } from '../schedule-audit.js';

/**
 * Deletes a schedule and its firings (its owner or an admin of its tenant); the tasks it submitted
 * stay, still naming it. A firing a ticker recorded just before is submitted all the same. Audited.
 */
@Injectable()
export class DeleteScheduleUseCase {
  constructor(
    private readonly lookup: ScheduleLookup,
    private readonly repository: ScheduleRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(scheduleId: string, actor: Actor): Promise<{ scheduleId: string }> {
    const view = await this.lookup.find(scheduleId, actor, 'schedule.delete');
    if (!(await this.repository.delete(scheduleId))) throw scheduleNotFound(scheduleId);
    auditScheduleChange(this.audit, 'schedule.delete', view, actor, {
      owner: view.userId,
      firedCount: view.firedCount,
    });
    return { scheduleId };
  }
}
