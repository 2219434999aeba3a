import { z } from 'zod';

/** The request of a command that takes nothing but its headers (the acting user, their tenant). */
export const NoArguments = z.object({}).strict();

/** How many items one page of a list holds: 1 to `max`, `byDefault` when the request does not say. */
export function pageLimit(max: number, byDefault: number) {
  return z.number().int().min(1).max(max).default(byDefault);
}

/** The request of a list that takes only how many items it answers (newest first). */
export function limitRequest(max: number, byDefault: number) {
  return z.object({ limit: pageLimit(max, byDefault) }).strict();
}
