/** Keys whose values are secrets wherever they appear (logs, audit details, events, errors). */
export const SECRET_KEY_PATTERN =
  /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key/i;

/**
 * Returns a deep copy with secret-looking keys replaced by "[redacted]" and any of the given secret
 * values (e.g. injected credentials) masked wherever they occur inside strings.
 */
export function redactSecrets<T>(value: T, secretValues: readonly string[] = [], depth = 0): T {
  if (depth > 12) return '[truncated]' as T;
  if (typeof value === 'string') {
    let s: string = value;
    for (const secret of secretValues)
      if (secret.length >= 4) s = s.split(secret).join('[redacted]');
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secretValues, depth + 1)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY_PATTERN.test(k) ? '[redacted]' : redactSecrets(v, secretValues, depth + 1),
      ]),
    ) as T;
  }
  return value;
}
