// `switchboard eval run`: starts an experiment, reads it until it completed, prints its table and
// says whether the candidate passes: exit 0, or 1 when it is worse than its baseline or below the
// threshold (docs/evaluations.md).
import { Evaluations } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { CallOutput } from './call.js';
import type { EvalRunCommand } from './eval-args.js';

/** Waits between two reads (the real clock in the CLI, an immediate one in tests). */
export type Pause = (ms: number) => Promise<void>;

/** Whether the experiment passes the gate, and why not. */
export function gateOf(
  view: Evaluations.ExperimentView,
  threshold?: number,
): { passed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const mean = view.candidate.mean ?? 0;
  if (threshold !== undefined && mean < threshold)
    reasons.push(`the mean ${fmt(mean)} is below the threshold ${fmt(threshold)}`);
  if (view.baseline && view.passed === false) {
    const worse = view.pairwise?.worse ?? 0;
    // an item that diverged is not counted worse (docs/evaluations.md): say it, or "0 worse" misleads
    const diverged = view.pairwise?.diverged ? `, ${view.pairwise.diverged} diverged` : '';
    reasons.push(
      `worse than the baseline (v${view.baselineVersion}): ${worse} item(s) worse${diverged}, mean ${fmt(mean)} vs ${fmt(view.baseline.mean ?? 0)}`,
    );
  }
  return { passed: reasons.length === 0, reasons };
}

const fmt = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(2));

/** The experiment as a table: one line per item, then the totals and the verdict. */
export function tableOf(view: Evaluations.ExperimentView, threshold?: number): string[] {
  const names = [...new Set(view.items.flatMap((i) => Object.keys(i.candidate.scores)))];
  const head = ['task', ...names, 'mean', ...(view.baseline ? ['baseline', 'vs'] : []), 'diverged'];
  const rows = view.items.map((i) => [
    i.taskId.slice(0, 8),
    ...names.map((n) => String(i.candidate.scores[n] ?? '-')),
    fmt(i.candidate.mean),
    ...(view.baseline ? [fmt(i.baseline?.mean), i.comparison ?? '-'] : []),
    i.candidate.divergences.map((d) => d.tool).join(',') || '-',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((s, c) => s.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const gate = gateOf(view, threshold);
  const p = view.pairwise;
  return [
    `experiment ${view.experimentId}: ${view.agent} v${view.version}${view.baselineVersion ? ` vs v${view.baselineVersion}` : ''} on ${view.dataset} (version ${view.datasetVersion})`,
    line(head),
    ...rows.map(line),
    `mean ${fmt(view.candidate.mean)}${view.baseline ? ` (baseline ${fmt(view.baseline.mean)})` : ''}; ${view.candidate.diverged} diverged; ${view.candidate.tokens} tokens${view.candidate.durationMs !== undefined ? `; ${Math.round(view.candidate.durationMs)} ms an item` : ''}`,
    ...(p
      ? [`pairwise: ${p.better} better, ${p.worse} worse, ${p.same} same, ${p.diverged} diverged`]
      : []),
    gate.passed ? 'PASS' : `FAIL: ${gate.reasons.join('; ')}`,
  ];
}

/** Runs the experiment to its end; resolves with whether it passes (the exit status 0 or 1). */
export async function evalRun(
  bus: NatsBus,
  cmd: EvalRunCommand,
  out: CallOutput,
  pause: Pause,
): Promise<boolean> {
  const opts = {
    actor: cmd.actor,
    ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}),
  };
  let view = await bus.request(Evaluations.ExperimentStart, cmd.body, opts);
  for (let waited = 0; view.status !== 'completed'; waited += cmd.pollMs) {
    if (waited >= cmd.waitMs)
      throw new Error(
        `experiment ${view.experimentId} has not completed in ${cmd.waitMs / 1000} s`,
      );
    await pause(cmd.pollMs);
    view = await bus.request(Evaluations.ExperimentGet, { experimentId: view.experimentId }, opts);
  }
  const gate = gateOf(view, cmd.threshold);
  if (cmd.json) out.line(JSON.stringify({ ...view, gate }));
  else for (const l of tableOf(view, cmd.threshold)) out.line(l);
  return gate.passed;
}
