import type { z } from 'zod';
import { limitQuery } from '../http/query-params.js';

/** `GET /schedules`' query string. */
export const ScheduleListQuery = limitQuery(500, 100);
export type ScheduleListQuery = z.infer<typeof ScheduleListQuery>;
