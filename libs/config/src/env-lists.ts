import { z } from 'zod';

const items = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Comma-separated values, trimmed, empty ones dropped. */
export const csv = z.string().transform(items);

/**
 * Comma-separated values with a default written as the variable would hold it: the default stays a
 * string, so docs/configuration.md shows it as it is set.
 */
export const csvDefault = (fallback: string) => z.string().default(fallback).transform(items);
