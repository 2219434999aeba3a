import type { Schedules } from '@switchboard/contracts';
import {
  type AuditEvent,
  AuditTrail,
  type JetStreamService,
  type MessagingOptions,
} from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { ScheduleClock } from './schedule-clock.js';

/** A schedule view for the use cases' specs. */
export function scheduleView(over: Partial<Schedules.ScheduleView> = {}): Schedules.ScheduleView {
  return {
    scheduleId: '11111111-1111-4111-8111-111111111111',
    tenantId: 'acme',
    userId: 'ann',
    status: 'active',
    task: 'summarise the tickets',
    cron: '0 8 * * 1-5',
    timezone: 'Europe/Berlin',
    catchUp: 'skip',
    nextDueAt: '2026-11-26T07:00:00.000Z',
    firedCount: 0,
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...over,
  };
}

/** An audit trail that keeps what it is given to publish; `build` is the real one (publishes nothing). */
export function auditSpy(): { audit: AuditTrail; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const trail = new AuditTrail(
    {} as JetStreamService,
    { service: 'orchestrator' } as MessagingOptions,
    {} as Logger,
  );
  const audit = {
    record: async (r: Record<string, unknown>) => void records.push(r),
    build: (e: AuditEvent) => trail.build(e),
  };
  return { audit: audit as unknown as AuditTrail, records };
}

/** A schedules' clock that says what the spec sets (`at`), until set again. */
export function manualClock(at: Date): ScheduleClock & { set(at: Date): void } {
  let now = at;
  return {
    now: () => now,
    set: (next: Date) => void (now = next),
  };
}
