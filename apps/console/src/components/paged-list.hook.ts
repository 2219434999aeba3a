import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './load.hook';

/** One page of a list, newest first, and the cursor of its older rows (none: nothing older). */
export interface ListPage<T, C> {
  rows: T[];
  next?: C | undefined;
}

/** What a paged list shows: its rows so far, the cursor of the older ones, the last load's error. */
export interface PagedListState<T, C> {
  rows: T[];
  next?: C | undefined;
  error?: string | undefined;
  loading: boolean;
}

type Change<T, C> = (state: PagedListState<T, C>) => PagedListState<T, C>;

/**
 * Loads a list a page at a time: a load without a cursor replaces the rows (new filters, or the
 * newest rows again), one with a cursor adds the older page after them. Only the newest load may
 * report: a page answered after a newer load started (an unfiltered page after the filtered one)
 * would show rows the list no longer asks for. A failed load keeps the rows it had.
 */
export class PagedList<T, C> {
  private latest = 0;

  constructor(private readonly report: (change: Change<T, C>) => void) {}

  async load(fetch: (before: C | undefined) => Promise<ListPage<T, C>>, before?: C): Promise<void> {
    const mine = ++this.latest;
    this.report((s) => ({ ...s, error: undefined, loading: true }));
    try {
      const page = await fetch(before);
      if (mine !== this.latest) return;
      this.report((s) => ({
        rows: before === undefined ? page.rows : [...s.rows, ...page.rows],
        next: page.next,
        loading: false,
      }));
    } catch (e) {
      if (mine === this.latest)
        this.report((s) => ({ ...s, error: describeError(e), loading: false }));
    }
  }
}

/**
 * A list read a page at a time with `fetch`: its first page when `deps` change, `older()` for the
 * next. `busy()` marks it loading before the deps change (so nobody reads the old rows as the new
 * ones); `setError` shows a problem found before any load (a malformed filter).
 */
export function usePagedList<T, C>(
  fetch: (before: C | undefined) => Promise<ListPage<T, C>>,
  deps: unknown[],
) {
  const [state, setState] = useState<PagedListState<T, C>>({ rows: [], loading: false });
  const list = useRef<PagedList<T, C> | undefined>(undefined);
  list.current ??= new PagedList<T, C>(setState);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const load = (before?: C) => void list.current?.load((b) => fetchRef.current(b), before);
  useEffect(() => load(), deps);
  return {
    ...state,
    older: () => {
      if (state.next !== undefined) load(state.next);
    },
    busy: () => setState((s) => ({ ...s, loading: true })),
    setError: (error: string | undefined) => setState((s) => ({ ...s, error })),
  };
}
