/**
 * `p`, or a rejection as soon as `signal` aborts (with `reason(signal)`, by default the signal's own
 * reason). `p` itself is not stopped: pass the signal to whatever can be cancelled as well.
 */
export function abortable<T>(
  p: Promise<T>,
  signal: AbortSignal,
  reason: (signal: AbortSignal) => Error = (s) => s.reason as Error,
): Promise<T> {
  if (signal.aborted) return Promise.reject(reason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
