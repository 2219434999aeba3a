import type { Schedules } from '@switchboard/contracts';
import type { Api } from './http.client';
import type { ScheduleFiringView, ScheduleView } from '../model/schedules';

/** The schedules the user sees (`GET /schedules`: their own; an admin's: the tenant's). */
export async function listSchedules(api: Api, signal?: AbortSignal): Promise<ScheduleView[]> {
  return (await api.get<{ schedules: ScheduleView[] }>('schedules', { limit: 500 }, signal))
    .schedules;
}

export function createSchedule(
  api: Api,
  body: Schedules.ScheduleCreateInput,
): Promise<ScheduleView> {
  return api.post<ScheduleView>('schedules', body);
}

/** Pauses or resumes (`POST /schedules/{id}/pause|resume`). */
export function setPaused(api: Api, scheduleId: string, paused: boolean): Promise<ScheduleView> {
  return api.post<ScheduleView>(
    `schedules/${encodeURIComponent(scheduleId)}/${paused ? 'pause' : 'resume'}`,
  );
}

export function deleteSchedule(api: Api, scheduleId: string): Promise<unknown> {
  return api.delete(`schedules/${encodeURIComponent(scheduleId)}`);
}

/** A schedule's recent firings, newest first (`GET /schedules/{id}/firings`). */
export async function listFirings(
  api: Api,
  scheduleId: string,
  signal?: AbortSignal,
): Promise<ScheduleFiringView[]> {
  return (
    await api.get<{ firings: ScheduleFiringView[] }>(
      `schedules/${encodeURIComponent(scheduleId)}/firings`,
      undefined,
      signal,
    )
  ).firings;
}
