import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '@switchboard/client';

export interface Loaded<T> {
  data?: T;
  error?: string;
  /** What the last load threw (its HTTP status and code, when the API refused it). */
  failure?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Describes anything thrown while talking to the API, in one line for the page. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.line;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Runs `load` when `deps` change (and on reload); a newer load wins over an older one still running. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{
    data?: T;
    error?: string;
    failure?: unknown;
    loading: boolean;
  }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (e: unknown) =>
        !ac.signal.aborted &&
        setState((s) => ({ ...s, error: describeError(e), failure: e, loading: false })),
    );
    return () => ac.abort();
  }, [...deps, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}
