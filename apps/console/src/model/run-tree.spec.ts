import { describe, expect, it } from '@jest/globals';
import {
  buildRunTree,
  countRuns,
  hasEnded,
  type RunSummary,
  runLabel,
  stillRunning,
} from './run-tree';

const ROOT = '00000000-0000-4000-8000-000000000000';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const at = '2026-11-25T10:00:00.000Z';
const replay = (n: number, status = 'completed', identical = true): RunSummary => ({
  taskId: id(n),
  kind: 'replay',
  status,
  createdAt: at,
  ...(hasEnded(status) ? { verdict: { identical, of: ROOT, rounds: 2, steps: 2 } } : {}),
});
const fork = (n: number, from: RunSummary['from'], status = 'completed'): RunSummary => ({
  taskId: id(n),
  kind: 'fork',
  status,
  createdAt: at,
  ...(from ? { from } : {}),
});

describe(buildRunTree.name, () => {
  it("lists a task's runs in the API's order, each labelled, with a replay's verdict as a badge", () => {
    const loaded = new Map([[ROOT, [replay(1), fork(2, { step: 2 })]]]);
    const nodes = buildRunTree(ROOT, loaded, new Set());
    expect(nodes.map((n) => [n.run.taskId, n.label, n.parentId, n.depth, n.open])).toEqual([
      [id(1), 'replay', ROOT, 0, false],
      [id(2), 'fork from step 2', ROOT, 0, false],
    ]);
    expect(nodes[0]?.verdict).toMatchObject({ identical: true, badge: 'identical' });
    expect(nodes[1]?.verdict).toBeUndefined();
    expect(nodes.every((n) => n.children === undefined && !n.loading)).toBe(true);
  });

  it('shows an opened run as loading until its runs are read, then its runs one level down', () => {
    const loaded = new Map([[ROOT, [fork(2, { round: 1 })]]]);
    const open = new Set([id(2)]);
    expect(buildRunTree(ROOT, loaded, open)[0]).toMatchObject({ open: true, loading: true });
    loaded.set(id(2), [replay(3, 'completed', false)]);
    loaded.set(id(3), [replay(4)]);
    const [node] = buildRunTree(ROOT, loaded, open);
    expect(node).toMatchObject({ open: true, loading: false, label: 'fork from planning round 1' });
    expect(node?.children?.map((c) => [c.run.taskId, c.parentId, c.depth])).toEqual([
      [id(3), id(2), 1],
    ]);
    // id(3) is read but not opened: its runs stay folded.
    expect(node?.children?.[0]?.children).toBeUndefined();
    expect(countRuns(buildRunTree(ROOT, loaded, open))).toBe(2);
    expect(countRuns(buildRunTree(ROOT, loaded, new Set([id(2), id(3)])))).toBe(3);
  });

  it('does not expand a task again on its own path', () => {
    // The API never answers so; a page must not loop if it did.
    const loaded = new Map([
      [ROOT, [fork(2, { step: 1 })]],
      [id(2), [{ ...fork(2, { step: 1 }) }]],
    ]);
    const [node] = buildRunTree(ROOT, loaded, new Set([id(2)]));
    expect(node?.children?.[0]).toMatchObject({ open: false });
    expect(node?.children?.[0]?.children).toBeUndefined();
  });

  it('has nothing under a task whose runs are not read yet, or that has none', () => {
    expect(buildRunTree(ROOT, new Map(), new Set())).toEqual([]);
    expect(buildRunTree(ROOT, new Map([[ROOT, []]]), new Set())).toEqual([]);
  });
});

describe(runLabel.name, () => {
  it('names the kind, and a fork its fork point', () => {
    expect(runLabel({ kind: 'replay' })).toBe('replay');
    expect(runLabel({ kind: 'fork', from: { step: 3 } })).toBe('fork from step 3');
    expect(runLabel({ kind: 'fork' })).toBe('fork');
  });
});

describe(stillRunning.name, () => {
  it('reads again only the shown tasks that list a run still under way', () => {
    const loaded = new Map([
      [ROOT, [replay(1), fork(2, { step: 2 }, 'running')]],
      [id(2), [replay(3, 'queued')]],
      [id(1), []],
    ]);
    expect(stillRunning(ROOT, loaded, new Set())).toEqual([ROOT]);
    expect(stillRunning(ROOT, loaded, new Set([id(1), id(2)]))).toEqual([ROOT, id(2)]);
    loaded.set(ROOT, [replay(1), fork(2, { step: 2 })]);
    loaded.set(id(2), [replay(3)]);
    expect(stillRunning(ROOT, loaded, new Set([id(2)]))).toEqual([]);
  });
});
