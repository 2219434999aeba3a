// The figures of a run and how they are printed: the comparison table with Switchboard ÷ the better
// peer on every row, and the CPU budget per process and task. Pure, so it is unit-tested.
import { percentile } from '../stats.js';
import type { GroupCpu } from './cpu-window.js';

/** Everything measured for one system over all rounds. */
export interface SystemFigures {
  name: string;
  /** Latencies of the sequential tasks, ms, round by round. */
  sequential: number[][];
  /** Tasks completed and seconds spent in the 64-in-flight phases, round by round. */
  loaded: { tasks: number; seconds: number }[];
  /** CPU ms per group, net of idle, and the tasks it served, round by round. */
  cpuSequential: CpuRound[];
  cpuLoaded: CpuRound[];
  /** Rows written over the whole run, and the tasks run (warm-up included). */
  rows: { written: number; tasks: number };
  failures: number;
  persistence: { checked: number; stored: number };
}

type Better = 'lower' | 'higher';

export interface Row {
  label: string;
  better: Better;
  unit: string;
  digits: number;
  value(f: SystemFigures): number;
}

const sum = (xs: Iterable<number>): number => [...xs].reduce((a, b) => a + b, 0);

/**
 * A group named "… (shared)" serves others too (the PostgreSQL server's own processes, busy with
 * whatever else uses the server): it is shown, but kept out of the totals.
 */
export const isShared = (group: string): boolean => group.endsWith('(shared)');

export interface CpuRound {
  cpu: GroupCpu;
  tasks: number;
}

/** The median: the middle value, or the mean of the two middle ones; NaN for none. */
export function middle(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const half = sorted.length / 2;
  return sorted.length % 2
    ? (sorted[Math.floor(half)] as number)
    : ((sorted[half - 1] ?? NaN) + (sorted[half] ?? NaN)) / 2;
}

export const groupsOf = (rounds: readonly CpuRound[]): Set<string> =>
  new Set(rounds.flatMap((r) => [...r.cpu.keys()]));

/**
 * A process group's CPU ms per task: the median over the rounds, so that a stray spike of one round
 * (a neighbour's burst on the shared machine, a timer landing in the load window and not the idle
 * one) does not move the figure.
 */
export function groupPerTask(rounds: readonly CpuRound[], group: string): number {
  return middle(rounds.filter((r) => r.tasks > 0).map((r) => (r.cpu.get(group) ?? 0) / r.tasks));
}

/** CPU ms per task of all the system's own groups (the sum of their medians). */
export const cpuPerTask = (rounds: readonly CpuRound[]): number =>
  sum([...groupsOf(rounds)].filter((g) => !isShared(g)).map((g) => groupPerTask(rounds, g)));

export const ROWS: Row[] = [
  {
    label: 'sequential p50',
    better: 'lower',
    unit: 'ms',
    digits: 1,
    value: (f) => percentile(f.sequential.flat(), 50),
  },
  {
    label: 'sequential p99',
    better: 'lower',
    unit: 'ms',
    digits: 1,
    value: (f) => percentile(f.sequential.flat(), 99),
  },
  {
    label: 'tasks/s, 64 in flight',
    better: 'higher',
    unit: '',
    digits: 0,
    value: (f) => sum(f.loaded.map((l) => l.tasks)) / sum(f.loaded.map((l) => l.seconds)),
  },
  {
    label: 'CPU per task, sequential, net of idle',
    better: 'lower',
    unit: 'ms',
    digits: 1,
    value: (f) => cpuPerTask(f.cpuSequential),
  },
  {
    label: 'CPU per task, 64 in flight, net of idle',
    better: 'lower',
    unit: 'ms',
    digits: 1,
    value: (f) => cpuPerTask(f.cpuLoaded),
  },
  {
    label: 'PostgreSQL rows written per task',
    better: 'lower',
    unit: '',
    digits: 1,
    value: (f) => f.rows.written / f.rows.tasks,
  },
];

/** The system's value ÷ the better of the others' (lower or higher, as the row prefers), and whose. */
export function ratioToBest(
  value: number,
  others: { name: string; value: number }[],
  better: Better,
): { ratio: number; peer: string } {
  const valid = others.filter((o) => Number.isFinite(o.value));
  if (!valid.length || !Number.isFinite(value)) return { ratio: NaN, peer: '' };
  const best = valid.reduce((a, b) =>
    (better === 'lower' ? b.value < a.value : b.value > a.value) ? b : a,
  );
  return { ratio: value / best.value, peer: best.name };
}

const fmt = (n: number, digits: number, unit = ''): string =>
  Number.isFinite(n) ? `${n.toFixed(digits)}${unit ? ` ${unit}` : ''}` : '—';

const times = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');

/** Lines of a table with the first column left-aligned and the others right-aligned. */
export function alignTable(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
}

/**
 * The comparison: one column per system, then the subject (the first system) ÷ the better peer on
 * each row, naming that peer, and ÷ each peer named in `against` (present in the run). Under 1.0× is
 * better for a "lower" row, over 1.0× for a "higher" one. The better peer is another product's: the
 * subject's other shapes (Switchboard as separate services beside its cell) are shown, and divided by
 * when named in `against`, but never "the better peer".
 */
export function comparisonTable(systems: SystemFigures[], against: string[] = []): string[] {
  const [subject, ...all] = systems;
  if (!subject) return [];
  const peers = all.filter((p) => productOf(p.name) !== productOf(subject.name));
  const named = against.flatMap((name) => all.filter((p) => p.name === name));
  const header = [
    '',
    ...systems.map((s) => s.name),
    `${subject.name} ÷ better peer`,
    ...named.map((p) => `÷ ${p.name}`),
  ];
  const lines = ROWS.map((row) => {
    const { ratio, peer } = ratioToBest(
      row.value(subject),
      peers.map((p) => ({ name: p.name, value: row.value(p) })),
      row.better,
    );
    return [
      row.label,
      ...systems.map((s) => fmt(row.value(s), row.digits, row.unit)),
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}× (${peer})` : '—',
      ...named.map((p) => times(row.value(subject) / row.value(p))),
    ];
  });
  const blank = named.map(() => '');
  const checks = [
    'persistence check (tasks stored / run)',
    ...systems.map((s) => `${s.persistence.stored}/${s.persistence.checked}`),
    '',
    ...blank,
  ];
  const failures = ['failed tasks', ...systems.map((s) => String(s.failures)), '', ...blank];
  return alignTable([header, ...lines, checks, failures]);
}

/**
 * The ratio to the better peer round by round, as a range: how far the machine's noise moves it.
 * Only rounds every system completed count.
 */
export function roundRatios(systems: SystemFigures[], against: string[] = []): string {
  const [subject, ...all] = systems;
  if (!subject) return '';
  const peers = all.filter((p) => productOf(p.name) !== productOf(subject.name));
  if (!peers.length) return '';
  const range = (
    others: SystemFigures[],
    better: Better,
    perRound: (f: SystemFigures, round: number) => number,
  ) => {
    const ratios = subject.sequential
      .map(
        (_, r) =>
          ratioToBest(
            perRound(subject, r),
            others.map((p) => ({ name: p.name, value: perRound(p, r) })),
            better,
          ).ratio,
      )
      .filter(Number.isFinite);
    return ratios.length
      ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`
      : '—';
  };
  const p50 = (f: SystemFigures, r: number) => percentile(f.sequential[r] ?? [], 50);
  const tps = (f: SystemFigures, r: number) => {
    const l = f.loaded[r];
    return l ? l.tasks / l.seconds : NaN;
  };
  const line = (label: string, others: SystemFigures[]) =>
    `${subject.name} ÷ ${label}, round by round: sequential p50 ${range(others, 'lower', p50)}, tasks/s ${range(others, 'higher', tps)}`;
  const named = against.flatMap((name) => all.filter((p) => p.name === name));
  return [line('better peer', peers), ...named.map((p) => line(p.name, [p]))].join('\n');
}

/** The product a system is a shape or build of: `Switchboard` for `Switchboard (cell)`. */
const productOf = (name: string) => name.replace(/\s*\(.*\)$/, '');

/**
 * CPU ms per task for each process group (the median over the rounds), sequential and 64 in flight,
 * largest first, with a total: where a system's CPU goes.
 */
export function cpuBudget(f: SystemFigures): string[] {
  const groups = new Set([...groupsOf(f.cpuSequential), ...groupsOf(f.cpuLoaded)]);
  const rows = [...groups]
    .map((g) => [g, groupPerTask(f.cpuSequential, g), groupPerTask(f.cpuLoaded, g)] as const)
    .sort((a, b) => b[1] - a[1]);
  const line = ([g, s, l]: readonly [string, number, number]) => [`  ${g}`, fmt(s, 1), fmt(l, 1)];
  return alignTable([
    [`${f.name}: CPU ms per task`, 'sequential', '64 in flight'],
    ...rows.filter(([g]) => !isShared(g)).map(line),
    ['  total', fmt(cpuPerTask(f.cpuSequential), 1), fmt(cpuPerTask(f.cpuLoaded), 1)],
    ...rows.filter(([g]) => isShared(g)).map(([g, s, l]) => line([`${g}, not in the total`, s, l])),
  ]);
}

/**
 * Two builds' budgets side by side (e.g. before and after a change, measured in the same rounds):
 * CPU ms per task per process group and the change, for both load shapes.
 */
export function budgetComparison(before: SystemFigures, after: SystemFigures): string[] {
  const groups = new Set(
    [before, after].flatMap((f) => [...groupsOf(f.cpuSequential), ...groupsOf(f.cpuLoaded)]),
  );
  const per = (rounds: CpuRound[], g?: string) =>
    g === undefined ? cpuPerTask(rounds) : groupPerTask(rounds, g);
  const cells = (g?: string) => {
    const [bs, as, bl, al] = [
      per(before.cpuSequential, g),
      per(after.cpuSequential, g),
      per(before.cpuLoaded, g),
      per(after.cpuLoaded, g),
    ];
    const delta = (b: number, a: number) => (a - b >= 0 ? '+' : '') + fmt(a - b, 1);
    return [fmt(bs, 1), fmt(as, 1), delta(bs, as), fmt(bl, 1), fmt(al, 1), delta(bl, al)];
  };
  const rows = [...groups].sort(
    (a, b) => per(after.cpuSequential, b) - per(after.cpuSequential, a),
  );
  return alignTable([
    ['CPU ms per task', 'sequential:', '', '', '64 in flight:', '', ''],
    ['', before.name, after.name, 'change', before.name, after.name, 'change'],
    ...rows.filter((g) => !isShared(g)).map((g) => [`  ${g}`, ...cells(g)]),
    ['  total', ...cells()],
    ...rows.filter(isShared).map((g) => [`  ${g}, not in the total`, ...cells(g)]),
  ]);
}
