import type { DatasetRule, ExperimentView } from '@switchboard/client';
import type { Evaluations } from '@switchboard/contracts';

// The parts of the client's wire types (DatasetView, ExperimentView, …) that it does not name.
export type ScoreValue = Evaluations.ScoreValue;
export type ExperimentItemView = Evaluations.ExperimentItemView;
export type ExperimentRunView = Evaluations.ExperimentRunView;
export type ExperimentAggregate = Evaluations.ExperimentAggregate;
export type PairwiseOutcome = Evaluations.PairwiseOutcome;

/** What a form's check found: the body to send, or the field at fault and why. */
export type Checked<T> = { ok: true; body: T } | { ok: false; field: string; error: string };

const DATASET_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** How a task ended, as a rule filters it. */
type Outcome = NonNullable<DatasetRule['filter']['outcome']>[number];

/** The new-dataset form as typed: its rule is optional, its rate a percentage. */
export interface DatasetForm {
  name: string;
  description: string;
  withRule: boolean;
  tool: string;
  outcome: '' | Outcome;
  agent: string;
  label: string;
  ratePercent: string;
}

/** The new-dataset form before anything is typed (every rule share at 100%). */
export const EMPTY_DATASET_FORM: DatasetForm = {
  name: '',
  description: '',
  withRule: false,
  tool: '',
  outcome: '',
  agent: '',
  label: '',
  ratePercent: '100',
};

/** The body of `POST /datasets` from the form, or the field it must fix first. */
export function datasetBody(f: DatasetForm): Checked<Evaluations.DatasetCreateBody> {
  const name = f.name.trim();
  if (!DATASET_NAME.test(name))
    return { ok: false, field: 'name', error: 'lower-case letters, digits, . _ -, at most 63' };
  const description = f.description.trim();
  const body: Evaluations.DatasetCreateBody = { name, ...(description ? { description } : {}) };
  if (!f.withRule) return { ok: true, body };
  const rate = Number(f.ratePercent);
  if (f.ratePercent.trim() === '' || !Number.isFinite(rate) || rate <= 0 || rate > 100)
    return { ok: false, field: 'rate', error: 'a percentage above 0, at most 100' };
  const filter: DatasetRule['filter'] = {
    ...(f.tool.trim() ? { tool: f.tool.trim() } : {}),
    ...(f.outcome ? { outcome: [f.outcome] } : {}),
    ...(f.agent.trim() ? { agent: f.agent.trim() } : {}),
    ...(f.label.trim() ? { label: f.label.trim() } : {}),
  };
  return { ok: true, body: { ...body, rule: { filter, rate: rate / 100, maxItems: 1_000 } } };
}

/** A dataset's rule in words: which ended tasks it adds, and what share. */
export function ruleWords(rule: DatasetRule | undefined): string {
  if (!rule) return 'no rule: items are added by hand';
  const f = rule.filter;
  const which = [
    f.tool && `that called ${f.tool}`,
    f.outcome && `ended ${f.outcome.join(' or ')}`,
    f.agent && `of agent ${f.agent}`,
    f.label && `on label ${f.label}`,
    f.userId && `of user ${f.userId}`,
    f.from && `from ${f.from}`,
    f.to && `until ${f.to}`,
  ].filter(Boolean);
  const share = `${Math.round(rule.rate * 1000) / 10}%`;
  return `adds ${share} of the tasks ${which.length ? which.join(', ') : '(any)'} as they end, up to ${rule.maxItems} items`;
}

/** What a person typed as a score: a number, true/false, or a category. */
export function scoreValueOf(text: string): Checked<ScoreValue> {
  const t = text.trim();
  if (!t) return { ok: false, field: 'value', error: 'a number, true, false or a category' };
  if (t === 'true' || t === 'false') return { ok: true, body: t === 'true' };
  const n = Number(t);
  if (Number.isFinite(n)) return { ok: true, body: n };
  if (t.length > 100) return { ok: false, field: 'value', error: 'at most 100 characters' };
  return { ok: true, body: t };
}

/** A score's value as shown: numbers to two places at most. */
export function scoreWords(v: ScoreValue | undefined): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return String(Math.round(v * 100) / 100);
  return String(v);
}

/** The scorers the experiment form offers, by the kind a checkbox names. */
export interface ScorerChoice {
  trajectory: '' | Evaluations.TrajectoryMode;
  answer: '' | 'exact' | 'contains';
  rubric: string;
}

/** The experiment form as typed: the baseline is a version number, a label or nothing. */
export interface ExperimentForm {
  dataset: string;
  agent: string;
  version: string;
  baseline: string;
  scorers: ScorerChoice;
}

const positiveInt = (s: string) => /^[1-9]\d*$/.test(s.trim());

/** The body of `POST /experiments` from the form, or the field it must fix first. */
export function experimentBody(f: ExperimentForm): Checked<Evaluations.ExperimentBody> {
  if (!f.dataset) return { ok: false, field: 'dataset', error: 'choose a dataset' };
  if (!f.agent) return { ok: false, field: 'agent', error: 'choose an agent' };
  if (!positiveInt(f.version)) return { ok: false, field: 'version', error: 'choose a version' };
  const scorers: Evaluations.ScorerSpec[] = [];
  if (f.scorers.trajectory)
    scorers.push({ kind: 'trajectory', mode: f.scorers.trajectory, args: 'exact' });
  if (f.scorers.answer) scorers.push({ kind: f.scorers.answer, caseSensitive: false });
  if (f.scorers.rubric.trim()) scorers.push({ kind: 'judge', rubric: f.scorers.rubric.trim() });
  if (scorers.length === 0) return { ok: false, field: 'scorers', error: 'choose a scorer' };
  const b = f.baseline.trim();
  const baseline = !b ? undefined : positiveInt(b) ? { version: Number(b) } : { label: b };
  return {
    ok: true,
    body: {
      dataset: f.dataset,
      agent: { name: f.agent, version: Number(f.version) },
      ...(baseline ? { baseline } : {}),
      scorers,
      concurrency: 4,
    },
  };
}

/** The score names of an experiment's items, candidate's and baseline's, in first-seen order. */
export function scoreNames(view: ExperimentView): string[] {
  return [
    ...new Set(
      view.items.flatMap((i) => [
        ...Object.keys(i.candidate.scores),
        ...Object.keys(i.baseline?.scores ?? {}),
      ]),
    ),
  ];
}

/** One line of the aggregates table: what, the candidate's, the baseline's. */
export type AggregateRow = [string, string, string];

const mean = (n: number | undefined) => (n === undefined ? '—' : scoreWords(n));
const usd = (n: number) => `$${n.toFixed(4)}`;
const ms = (n: number | undefined) => (n === undefined ? '—' : `${Math.round(n)} ms`);

/** The aggregates side by side: the mean, each scorer's mean, tokens, cost, time, divergences. */
export function aggregateRows(view: ExperimentView): AggregateRow[] {
  const c = view.candidate;
  const b = view.baseline;
  const names = [...new Set([...Object.keys(c.means), ...Object.keys(b?.means ?? {})])];
  return [
    ['Items', String(c.items), b ? String(b.items) : '—'],
    ['Mean', mean(c.mean), b ? mean(b.mean) : '—'],
    ...names.map((n): AggregateRow => [`Mean ${n}`, mean(c.means[n]), b ? mean(b.means[n]) : '—']),
    ['Tokens', String(c.tokens), b ? String(b.tokens) : '—'],
    ['Cost', usd(c.costUsd), b ? usd(b.costUsd) : '—'],
    ['Time an item', ms(c.durationMs), b ? ms(b.durationMs) : '—'],
    ['Diverged', String(c.diverged), b ? String(b.diverged) : '—'],
  ];
}

/** The pairwise counts and the verdict in one line. */
export function verdictWords(v: Pick<ExperimentView, 'pairwise' | 'passed' | 'status'>): string {
  if (v.status === 'running') return 'running';
  if (!v.pairwise) return 'no baseline';
  const p = v.pairwise;
  const counts = `${p.better} better, ${p.worse} worse, ${p.same} same, ${p.diverged} diverged`;
  return `${counts} — ${v.passed ? 'passes' : 'does not pass'}`;
}

/** A divergence in words: the tool the version asked for that the record does not hold. */
export function divergenceWords(d: Evaluations.ExperimentDivergence): string {
  return `step ${d.step}: ${d.tool} ${JSON.stringify(d.input ?? {})} (not run: ${d.message})`;
}
