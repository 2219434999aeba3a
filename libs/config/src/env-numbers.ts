import { z } from 'zod';

/**
 * A whole number from the environment, within [min, max], `fallback` when unset: every count, size
 * and duration (in ms) setting of the services is one.
 */
export const envInt = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
