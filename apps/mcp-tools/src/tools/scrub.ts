/** What replaces a credential wherever it is found. */
export const REDACTED = '[redacted]';

/**
 * A deep copy of `value` with every occurrence of the given secrets (also in URL-encoded form) masked
 * inside strings, including object keys. Unlike the logger's redaction it keeps fields whose *names*
 * look secret (`tokens`, `password_policy`): a tool's output is data, and only credential values are
 * taken out of it.
 */
export function scrubValues<T>(value: T, secrets: readonly string[]): T {
  const needles = [
    ...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => [s, encodeURIComponent(s)])),
  ].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return value;
  const scrub = (s: string): string =>
    needles.reduce((acc, needle) => acc.split(needle).join(REDACTED), s);
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, item]) => [
        scrub(k),
        walk(item, depth + 1),
      ]),
    );
  };
  return walk(value, 0) as T;
}
