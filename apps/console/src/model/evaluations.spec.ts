import { describe, expect, it } from '@jest/globals';
import type { ExperimentView } from '@switchboard/client';
import {
  aggregateRows,
  type DatasetForm,
  datasetBody,
  divergenceWords,
  EMPTY_DATASET_FORM,
  type ExperimentForm,
  experimentBody,
  ruleWords,
  scoreNames,
  scoreValueOf,
  scoreWords,
  verdictWords,
} from './evaluations';

const datasetForm = (over: Partial<DatasetForm> = {}): DatasetForm => ({
  ...EMPTY_DATASET_FORM,
  name: ' support-tasks ',
  ...over,
});

describe(datasetBody.name, () => {
  it('sends a dataset without a rule by its trimmed name', () => {
    expect(datasetBody(datasetForm())).toEqual({ ok: true, body: { name: 'support-tasks' } });
  });

  it('sends a rule with only the filters given, its rate as a share', () => {
    const checked = datasetBody(
      datasetForm({ withRule: true, tool: 'calculator', outcome: 'completed', ratePercent: '25' }),
    );
    expect(checked).toEqual({
      ok: true,
      body: {
        name: 'support-tasks',
        rule: {
          filter: { tool: 'calculator', outcome: ['completed'] },
          rate: 0.25,
          maxItems: 1000,
        },
      },
    });
  });

  it('names the field at fault', () => {
    expect(datasetBody(datasetForm({ name: 'Support' }))).toMatchObject({
      ok: false,
      field: 'name',
    });
    for (const ratePercent of ['', '0', '101', 'x'])
      expect(datasetBody(datasetForm({ withRule: true, ratePercent }))).toMatchObject({
        ok: false,
        field: 'rate',
      });
  });
});

describe(ruleWords.name, () => {
  it('says which tasks a rule adds, and what share', () => {
    expect(ruleWords(undefined)).toBe('no rule: items are added by hand');
    expect(
      ruleWords({ filter: { tool: 'calculator', label: 'production' }, rate: 0.1, maxItems: 20 }),
    ).toBe(
      'adds 10% of the tasks that called calculator, on label production as they end, up to 20 items',
    );
    expect(ruleWords({ filter: {}, rate: 1, maxItems: 1000 })).toContain('100% of the tasks (any)');
  });
});

describe(scoreValueOf.name, () => {
  it('reads a number, a boolean or a category', () => {
    expect(scoreValueOf(' 0.8 ')).toEqual({ ok: true, body: 0.8 });
    expect(scoreValueOf('true')).toEqual({ ok: true, body: true });
    expect(scoreValueOf('false')).toEqual({ ok: true, body: false });
    expect(scoreValueOf('helpful')).toEqual({ ok: true, body: 'helpful' });
    expect(scoreValueOf(' ')).toMatchObject({ ok: false, field: 'value' });
    expect(scoreValueOf('x'.repeat(101))).toMatchObject({ ok: false, field: 'value' });
  });

  it('shows numbers to two places', () => {
    expect(scoreWords(2 / 3)).toBe('0.67');
    expect(scoreWords(false)).toBe('false');
    expect(scoreWords(undefined)).toBe('—');
  });
});

const experimentForm = (over: Partial<ExperimentForm> = {}): ExperimentForm => ({
  dataset: 'support-tasks',
  agent: 'support',
  version: '2',
  baseline: '',
  scorers: { trajectory: 'strict', answer: '', rubric: '' },
  ...over,
});

describe(experimentBody.name, () => {
  it('sends the candidate version, the scorers chosen and a baseline by version or label', () => {
    expect(experimentBody(experimentForm({ baseline: '1' }))).toEqual({
      ok: true,
      body: {
        dataset: 'support-tasks',
        agent: { name: 'support', version: 2 },
        baseline: { version: 1 },
        scorers: [{ kind: 'trajectory', mode: 'strict', args: 'exact' }],
        concurrency: 4,
      },
    });
    const checked = experimentBody(
      experimentForm({
        baseline: 'production',
        scorers: { trajectory: '', answer: 'contains', rubric: ' Is it right? ' },
      }),
    );
    expect(checked).toMatchObject({
      ok: true,
      body: {
        baseline: { label: 'production' },
        scorers: [
          { kind: 'contains', caseSensitive: false },
          { kind: 'judge', rubric: 'Is it right?' },
        ],
      },
    });
  });

  it('names the field at fault', () => {
    expect(experimentBody(experimentForm({ dataset: '' }))).toMatchObject({ field: 'dataset' });
    expect(experimentBody(experimentForm({ version: '0' }))).toMatchObject({ field: 'version' });
    expect(
      experimentBody(experimentForm({ scorers: { trajectory: '', answer: '', rubric: ' ' } })),
    ).toMatchObject({ field: 'scorers' });
  });
});

const run = (scores: Record<string, number>, mean?: number) => ({
  status: 'completed',
  scores,
  ...(mean !== undefined ? { mean } : {}),
  tokens: 0,
  costUsd: 0,
  divergences: [],
});
const view: ExperimentView = {
  experimentId: '6f1c2a52-1d0e-4c8f-9a43-0f6f7c1b2d3e',
  status: 'completed',
  dataset: 'support-tasks',
  datasetVersion: 2,
  agent: 'support',
  version: 2,
  baselineVersion: 1,
  scorers: [],
  items: [
    {
      taskId: '6f1c2a52-1d0e-4c8f-9a43-0f6f7c1b2d3f',
      candidate: run({ trajectory: 0 }, 0),
      baseline: run({ trajectory: 1, judge: 1 }, 1),
      comparison: 'worse',
    },
  ],
  candidate: {
    items: 1,
    means: { trajectory: 0 },
    mean: 0,
    tokens: 10,
    costUsd: 0.0012,
    diverged: 1,
  },
  baseline: {
    items: 1,
    means: { trajectory: 1, judge: 1 },
    mean: 1,
    tokens: 0,
    costUsd: 0,
    durationMs: 41.6,
    diverged: 0,
  },
  pairwise: { better: 0, worse: 1, same: 0, diverged: 0 },
  passed: false,
  createdBy: 'root',
  createdAt: '2026-11-28T03:00:00.000Z',
};

describe('an experiment side by side', () => {
  it("names every score of the candidate's and the baseline's runs once", () => {
    expect(scoreNames(view)).toEqual(['trajectory', 'judge']);
  });

  it('puts the aggregates side by side', () => {
    expect(aggregateRows(view)).toEqual([
      ['Items', '1', '1'],
      ['Mean', '0', '1'],
      ['Mean trajectory', '0', '1'],
      ['Mean judge', '—', '1'],
      ['Tokens', '10', '0'],
      ['Cost', '$0.0012', '$0.0000'],
      ['Time an item', '—', '42 ms'],
      ['Diverged', '1', '0'],
    ]);
    const { baseline: _b, ...alone } = view;
    expect(aggregateRows(alone)[1]).toEqual(['Mean', '0', '—']);
  });

  it('says the pairwise counts and the verdict', () => {
    expect(verdictWords(view)).toBe('0 better, 1 worse, 0 same, 0 diverged — does not pass');
    expect(verdictWords({ status: 'running' })).toBe('running');
    expect(verdictWords({ status: 'completed' })).toBe('no baseline');
  });

  it('says what a divergence asked for', () => {
    expect(
      divergenceWords({
        step: 2,
        tool: 'notes.add',
        input: { content: 'x' },
        message: 'not recorded',
      }),
    ).toBe('step 2: notes.add {"content":"x"} (not run: not recorded)');
  });
});
