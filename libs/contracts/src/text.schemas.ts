import { z } from 'zod';

// C0 control characters other than tab, line feed and carriage return. PostgreSQL cannot store NUL in
// text at all (22021), and none of the others belongs in a task, a reason or a name.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
// jsonb rejects \u0000 (22P05) and unpaired surrogates (22P02) anywhere in a value, keys included.
const UNSTORABLE_IN_JSON =
  // eslint-disable-next-line no-control-regex
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const CONTROL_CHARS_MESSAGE =
  'must not contain control characters (U+0000-U+001F other than tab, line feed and carriage return)';
export const UNSTORABLE_JSON_MESSAGE =
  'must not contain the NUL character (\\u0000) or an unpaired surrogate (they cannot be stored)';

export function hasControlChars(s: string): boolean {
  return CONTROL_CHARS.test(s);
}

/**
 * A name of lowercase letters, digits, `_` and `-` that starts with a letter, 1 to `max` long: one
 * token of a path or a subject (a configured agent's name, an agent version's label).
 */
export function lowercaseName(max: number): z.ZodString {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[a-z][a-z0-9_-]*$/,
      'must be lowercase letters, digits, "_" or "-", starting with a letter',
    );
}

/** `base` (a string schema with the field's own limits) that also refuses C0 control characters. */
export function safeText(base: z.ZodString = z.string()): z.ZodString {
  return base.refine((s) => !CONTROL_CHARS.test(s), CONTROL_CHARS_MESSAGE);
}

/** The path of the first string or key in `value` that jsonb cannot store, or undefined. */
export function unstorableJsonPath(
  value: unknown,
  path: (string | number)[] = [],
): (string | number)[] | undefined {
  if (typeof value === 'string') return UNSTORABLE_IN_JSON.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = unstorableJsonPath(v, [...path, i]);
      if (at) return at;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE_IN_JSON.test(k)) return [...path, k];
      const at = unstorableJsonPath(v, [...path, k]);
      if (at) return at;
    }
  }
  return undefined;
}

/**
 * A JSON object that PostgreSQL can store as jsonb (tool inputs, plan actions, audit details). A
 * rejection names the offending field (`input.content: must not contain the NUL character…`).
 */
export const StorableJsonObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const at = unstorableJsonPath(value);
  if (at) ctx.addIssue({ code: 'custom', path: at, message: UNSTORABLE_JSON_MESSAGE });
});
export type StorableJsonObject = z.infer<typeof StorableJsonObject>;

/**
 * `value` with every string (and key) made storable: NUL and unpaired surrogates, which PostgreSQL
 * refuses in text and jsonb, become U+FFFD; everything else is kept. For data that must be kept although
 * it arrived dirty (a tool's output, an audit record, an event that failed validation); user input is
 * rejected instead.
 */
export function scrubJson<T>(value: T): T {
  return scrub(value) as T;
}

const SCRUB = new RegExp(UNSTORABLE_IN_JSON.source, 'g');

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(SCRUB, '\uFFFD');
  if (Array.isArray(value)) return value.map(scrub);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(SCRUB, '\uFFFD'), scrub(v)]),
    );
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
