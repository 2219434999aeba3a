import { describe, expect, it } from '@jest/globals';
import { ApiError } from '@switchboard/client';
import { type ListPage, PagedList, type PagedListState } from './paged-list.hook';

/** A PagedList whose reports fold into `state`, as the hook's setState does. */
function listed() {
  const seen = { state: { rows: [], loading: false } as PagedListState<string, number> };
  const sut = new PagedList<string, number>((change) => (seen.state = change(seen.state)));
  return { sut, seen };
}

/** A page answered when the test says so. */
function deferred() {
  let answer!: (page: ListPage<string, number>) => void;
  const page = new Promise<ListPage<string, number>>((r) => (answer = r));
  return { page, answer };
}

describe(PagedList.name, () => {
  it('replaces the rows with a first page and adds an older page after them', async () => {
    const { sut, seen } = listed();
    seen.state = { rows: ['stale'], loading: false };
    await sut.load(async () => ({ rows: ['a', 'b'], next: 7 }));
    expect(seen.state).toEqual({ rows: ['a', 'b'], next: 7, loading: false });
    const asked: (number | undefined)[] = [];
    await sut.load(async (before) => {
      asked.push(before);
      return { rows: ['c'] };
    }, 7);
    expect(asked).toEqual([7]);
    expect(seen.state).toEqual({ rows: ['a', 'b', 'c'], next: undefined, loading: false });
  });

  it('is loading while a page is asked for, and clears the last error when it starts', async () => {
    const { sut, seen } = listed();
    seen.state = { rows: [], error: 'old', loading: false };
    const slow = deferred();
    const done = sut.load(() => slow.page);
    expect(seen.state).toEqual({ rows: [], error: undefined, loading: true });
    slow.answer({ rows: ['a'] });
    await done;
    expect(seen.state.loading).toBe(false);
  });

  it('lets only the newest load report: an older answer arriving last is dropped', async () => {
    const { sut, seen } = listed();
    const unfiltered = deferred();
    const first = sut.load(() => unfiltered.page);
    await sut.load(async () => ({ rows: ['filtered'] }));
    unfiltered.answer({ rows: ['everything'], next: 3 });
    await first;
    expect(seen.state).toEqual({ rows: ['filtered'], next: undefined, loading: false });
  });

  it("keeps the rows it had on a failure and says what failed, the API's line for a refusal", async () => {
    const { sut, seen } = listed();
    await sut.load(async () => ({ rows: ['a'], next: 1 }));
    await sut.load(async () => {
      throw new ApiError(
        403,
        { code: 'FORBIDDEN', message: 'admins only' },
        { method: 'GET', path: '/audit' },
      );
    }, 1);
    expect(seen.state.rows).toEqual(['a']);
    expect(seen.state.loading).toBe(false);
    expect(seen.state.error).toBe('admins only (FORBIDDEN, HTTP 403)');
  });

  it('drops the failure of a load a newer one replaced', async () => {
    const { sut, seen } = listed();
    let fail!: (e: Error) => void;
    const first = sut.load(() => new Promise((_, reject) => (fail = reject)));
    await sut.load(async () => ({ rows: ['b'] }));
    fail(new Error('timed out'));
    await first;
    expect(seen.state).toEqual({ rows: ['b'], next: undefined, loading: false });
  });
});
