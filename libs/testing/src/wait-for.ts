/**
 * Polls `check` until it returns a truthy value (which is returned) or the deadline passes. This is
 * condition-based waiting, not a sleep: it returns as soon as the condition holds. Without an
 * `intervalMs` it polls every 25 ms at first and less often the longer it waits (each pause half as
 * long again as the one before, up to `MAX_DEFAULT_INTERVAL_MS`): a check is mostly a request to a service,
 * and a wait of seconds at 40 requests a second cost the machine's CPU that the rest of a run needs.
 * A check that must catch a brief state passes its own `intervalMs`, kept as it is.
 */
const FIRST_DEFAULT_INTERVAL_MS = 25;
export const MAX_DEFAULT_INTERVAL_MS = 100;

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let intervalMs = opts.intervalMs ?? FIRST_DEFAULT_INTERVAL_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const suffix = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'}${suffix}`,
        { cause: lastError },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (opts.intervalMs === undefined)
      intervalMs = Math.min(MAX_DEFAULT_INTERVAL_MS, Math.round(intervalMs * 1.5));
  }
}
