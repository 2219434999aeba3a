/**
 * Key names whose values are secrets, compared without case and without `-`, `_` and `.`
 * (`X-Proxy-Secret`, `api_key` and `apiKey` are one name each). Only these names, and the names ending
 * in one of SECRET_KEY_ENDINGS, are redacted: a substring match would hide ordinary values such as
 * `totalTokens` or `tokenCount`.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'pass',
  'pwd',
  'jwt',
  'credential',
  'credentials',
]);

/** Endings that make a key name secret: `NATS_PASSWORD`, `clientSecret`, `WEATHER_API_KEY`, `accessToken`. */
export const SECRET_KEY_ENDINGS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'apikey',
  'privatekey',
  'accesskey',
  'signingkey',
  // One token (`NATS_TOKEN`, `access_token`), never a count of them (`totalTokens`, `maxTokens`).
  'token',
];

/** Whether values under this key are secrets (see SECRET_KEYS). */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_.]/g, '');
  return SECRET_KEYS.has(name) || SECRET_KEY_ENDINGS.some((ending) => name.endsWith(ending));
}

/**
 * Returns a deep copy with the values of secret keys (isSecretKey) replaced by "[redacted]" and any of
 * the given secret values (e.g. injected credentials) masked wherever they occur inside strings.
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
        isSecretKey(k) ? '[redacted]' : redactSecrets(v, secretValues, depth + 1),
      ]),
    ) as T;
  }
  return value;
}
