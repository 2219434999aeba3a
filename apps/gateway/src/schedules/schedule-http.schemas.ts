import { z } from 'zod';

/** `GET /schedules`' query string. */
export const ScheduleListQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();
export type ScheduleListQuery = z.infer<typeof ScheduleListQuery>;
