import { describe, expect, it } from '@jest/globals';
import { Evaluations } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { parseCommandLine, UsageError } from './args.js';
import type { EvalRunCommand } from './eval-args.js';
import { evalRun, gateOf, tableOf } from './eval-run.js';

const ID = '0b0e6c36-1f2a-4c1e-9f4e-2d5b6c7d8e9f';
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

const runView = (mean: number, tools: string[] = []): Evaluations.ExperimentRunView => ({
  status: 'completed',
  scores: { 'trajectory.strict': mean },
  mean,
  tokens: 0,
  costUsd: 0,
  divergences: tools.map((tool, i) => ({ step: i + 1, tool, input: {}, message: 'm' })),
});

function view(
  candidate: number,
  baseline: number,
  diverged: string[] = [],
): Evaluations.ExperimentView {
  const item = {
    taskId: TASK,
    candidate: runView(candidate, diverged),
    baseline: runView(baseline),
    comparison: (diverged.length
      ? 'diverged'
      : candidate > baseline
        ? 'better'
        : candidate < baseline
          ? 'worse'
          : 'same') as Evaluations.PairwiseOutcome,
  };
  const agg = (m: number, d = 0) => ({
    items: 1,
    means: {},
    mean: m,
    tokens: 0,
    costUsd: 0,
    diverged: d,
  });
  return {
    experimentId: ID,
    status: 'completed',
    dataset: 'support',
    datasetVersion: 3,
    agent: 'support',
    version: 2,
    baselineVersion: 1,
    scorers: [],
    items: [item],
    candidate: agg(candidate, diverged.length ? 1 : 0),
    baseline: agg(baseline),
    pairwise: {
      better: item.comparison === 'better' ? 1 : 0,
      worse: item.comparison === 'worse' ? 1 : 0,
      same: item.comparison === 'same' ? 1 : 0,
      diverged: item.comparison === 'diverged' ? 1 : 0,
    },
    passed: candidate >= baseline,
    createdBy: 'ann',
    createdAt: new Date().toISOString(),
  };
}

const parse = (line: string) => parseCommandLine(line.split(' ')) as EvalRunCommand;

describe('switchboard eval run: the command line', () => {
  it('takes the dataset, agent, version and baseline by number or label, with default scorers', () => {
    const cmd = parse(
      'eval run --dataset support --agent support --version 2 --baseline production --tenant acme',
    );
    expect(cmd.body).toEqual({
      dataset: 'support',
      agent: { name: 'support', version: 2 },
      baseline: { label: 'production' },
      scorers: [
        { kind: 'trajectory', mode: 'strict', args: 'exact' },
        { kind: 'contains', caseSensitive: false },
      ],
      concurrency: 4,
    });
    expect(cmd.actor.tenantId).toBe('acme');
    expect(cmd.threshold).toBeUndefined();
  });

  it('takes scorers in short form and a threshold', () => {
    const cmd = parse(
      'eval run --dataset d --agent a --version staging --scorer trajectory:any-order:subset --scorer judge:Is_it_right? --threshold 0.8',
    );
    expect(cmd.body.agent).toEqual({ name: 'a', label: 'staging' });
    expect(cmd.body.scorers).toEqual([
      { kind: 'trajectory', mode: 'any-order', args: 'subset' },
      { kind: 'judge', rubric: 'Is_it_right?' },
    ]);
    expect(cmd.threshold).toBe(0.8);
  });

  it('refuses what cannot be right, naming the flag', () => {
    const cases: [string, RegExp][] = [
      ['eval run --agent a --version 1', /--dataset is required/],
      [
        'eval run --dataset d --agent a --version 1 --threshold 2',
        /--threshold must be a number from 0 to 1/,
      ],
      ['eval run --dataset d --agent a --version 1 --scorer trajectory:sideways', /scorers.0.mode/],
      ['eval walk', /unknown subcommand "walk"/],
    ];
    for (const [line, message] of cases) {
      const e = (() => {
        try {
          parse(line);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('switchboard eval run: the gate', () => {
  it('passes a candidate at least as good as its baseline, fails a worse one', () => {
    expect(gateOf(view(1, 1))).toEqual({ passed: true, reasons: [] });
    expect(gateOf(view(0, 1)).passed).toBe(false);
    expect(gateOf(view(0, 1)).reasons[0]).toMatch(
      /worse than the baseline \(v1\): 1 item\(s\) worse/,
    );
  });

  it('counts the items that diverged among the reasons, not only the worse ones', () => {
    expect(gateOf(view(0, 1, ['email.send'])).reasons).toEqual([
      'worse than the baseline (v1): 0 item(s) worse, 1 diverged, mean 0.00 vs 1.00',
    ]);
  });

  it('fails a candidate below the threshold, even when it beats its baseline', () => {
    expect(gateOf(view(0.5, 0), 0.8).reasons).toEqual([
      'the mean 0.50 is below the threshold 0.80',
    ]);
  });

  it('prints one line per item with its scores, the baseline, the comparison and the divergences', () => {
    const lines = tableOf(view(0, 1, ['email.send']));
    expect(lines[1]).toMatch(/^task\s+trajectory.strict\s+mean\s+baseline\s+vs\s+diverged$/);
    expect(lines[2]).toMatch(/^7f3a2c1e\s+0\s+0.00\s+1.00\s+diverged\s+email.send$/);
    expect(lines.at(-1)).toMatch(/^FAIL: /);
    expect(tableOf(view(1, 0)).at(-1)).toBe('PASS');
  });

  it('starts the experiment, reads it until it completed, and answers whether it passed', async () => {
    const running = { ...view(1, 1), status: 'running' as const, items: [] };
    const answers = [running, running, view(0, 1)];
    const sent: string[] = [];
    const bus = {
      request: async (contract: { subject: string }) => {
        sent.push(contract.subject);
        return answers.shift();
      },
    } as unknown as NatsBus;
    const pauses: number[] = [];
    const lines: string[] = [];
    const cmd = parse('eval run --dataset d --agent a --version 2 --baseline 1 --poll-ms 100');
    const passed = await evalRun(bus, cmd, { line: (l) => lines.push(l) }, async (ms) => {
      pauses.push(ms);
    });
    expect(passed).toBe(false);
    expect(sent).toEqual([
      Evaluations.ExperimentStart.subject,
      Evaluations.ExperimentGet.subject,
      Evaluations.ExperimentGet.subject,
    ]);
    expect(pauses).toEqual([100, 100]);
    expect(lines.at(-1)).toMatch(/^FAIL/);
  });

  it('gives up once it waited --wait-s', async () => {
    const running = { ...view(1, 1), status: 'running' as const };
    const bus = { request: async () => running } as unknown as NatsBus;
    const cmd = parse('eval run --dataset d --agent a --version 2 --poll-ms 1000 --wait-s 2');
    await expect(
      evalRun(bus, cmd, { line: () => undefined }, async () => undefined),
    ).rejects.toThrow(/has not completed in 2 s/);
  });
});
