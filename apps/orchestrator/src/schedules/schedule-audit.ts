import type { Actor, Schedules } from '@switchboard/contracts';
import type { AuditEvent, AuditTrail } from '@switchboard/messaging';

/**
 * A schedule changed by its owner or an admin (created, paused, resumed, deleted): one audit record
 * in the schedule's tenant, naming who did it; `details` says what changed.
 */
export function auditScheduleChange(
  audit: AuditTrail,
  action: string,
  view: Pick<Schedules.ScheduleView, 'scheduleId' | 'tenantId'>,
  actor: Actor,
  details: AuditEvent['details'],
): void {
  void audit.record({
    category: 'schedule',
    action,
    outcome: 'success',
    resource: view.scheduleId,
    tenantId: view.tenantId,
    actor: { userId: actor.userId, role: actor.role },
    details,
  });
}
