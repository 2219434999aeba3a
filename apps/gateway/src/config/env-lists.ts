import { z } from 'zod';

/** Comma-separated values, trimmed, empty ones dropped. */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** Comma-separated values with a default written as the variable would hold it. */
export const csvDefault = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );
