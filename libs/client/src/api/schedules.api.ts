import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  ScheduleDeleted,
  ScheduleFiringView,
  ScheduleRequest,
  ScheduleView,
} from '../wire.js';

/** Schedules (docs/schedules.md): a task run on a cron schedule in a time zone, or once at a time. */
export class SchedulesApi {
  constructor(private readonly transport: Transport) {}

  /** Schedules a task (`cron` + `timezone`, or `at`); 400 names the field. Sent once. */
  create(request: ScheduleRequest, options: CallOptions = {}): Promise<ScheduleView> {
    return this.transport.send('POST', 'schedules', options, { body: request });
  }

  /** The caller's schedules (an admin's: the tenant's). */
  list(
    query: { limit?: number } = {},
    options: CallOptions = {},
  ): Promise<{ schedules: ScheduleView[] }> {
    return this.transport.send('GET', 'schedules', options, { query: { ...query } });
  }

  get(scheduleId: string, options: CallOptions = {}): Promise<ScheduleView> {
    return this.transport.send('GET', pathOf`schedules/${scheduleId}`, options);
  }

  /** Pauses it: no firing until resumed. Harmless to repeat. */
  pause(scheduleId: string, options: CallOptions = {}): Promise<ScheduleView> {
    return this.transport.send('POST', pathOf`schedules/${scheduleId}/pause`, options, {
      repeatable: true,
    });
  }

  /** Resumes it from now (missed times do not run). Harmless to repeat. */
  resume(scheduleId: string, options: CallOptions = {}): Promise<ScheduleView> {
    return this.transport.send('POST', pathOf`schedules/${scheduleId}/resume`, options, {
      repeatable: true,
    });
  }

  /** Deletes it and its firings; the tasks it submitted stay. */
  delete(scheduleId: string, options: CallOptions = {}): Promise<ScheduleDeleted> {
    return this.transport.send('DELETE', pathOf`schedules/${scheduleId}`, options);
  }

  /** Its most recent firings, newest first. */
  firings(
    scheduleId: string,
    options: CallOptions = {},
  ): Promise<{ firings: ScheduleFiringView[] }> {
    return this.transport.send('GET', pathOf`schedules/${scheduleId}/firings`, options);
  }
}
