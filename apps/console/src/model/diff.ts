import type { Tasks } from '@switchboard/contracts';
import { differenceWords } from './difference';
import { formatDuration } from './format';
import { divergenceWhere, originWords, shortId } from './replay';
import { statusWords } from './status';

type DiffView = Tasks.TaskDiffView;
type DiffEntry = Tasks.DiffEntry;
type Summary = Tasks.RunTraceSummary;

/** What one run did at one position of the comparison. */
export interface DiffSide {
  /** False: the run did not get there (the API's null). */
  reached: boolean;
  /** In words: "call calculator, call notes.add", "calculator: completed", "the answer …". */
  title: string;
  /** The data underneath (arguments, result, answer), folded on the page. */
  parts: { label: string; value: unknown }[];
}

/** One position of two runs side by side: the input check, a round's decision, a step, the end. */
export interface DiffRow {
  key: string;
  /** "Input check", "Planning round 1", "Step 1 (round 1)", "Outcome". */
  label: string;
  same: boolean;
  /** The first position where the runs differ (the page highlights it). */
  first: boolean;
  /** What differs there, in words ("the result differs"); only where they differ. */
  what?: string;
  a: DiffSide;
  b: DiffSide;
}

/**
 * The comparison's rows, in the order the API aligned them by position; the first that is not the
 * same is marked first. With no difference at any position, none is.
 */
export function diffRows(view: Pick<DiffView, 'entries'>): DiffRow[] {
  const first = view.entries.findIndex((e) => !e.same);
  return view.entries.map((e, i) => {
    const what = e.same ? undefined : differenceWords(e.at, e.a, e.b);
    return {
      key: `${e.at}-${e.round ?? ''}-${e.step ?? ''}-${i}`,
      label: positionLabel(e),
      same: e.same,
      first: i === first,
      ...(what ? { what } : {}),
      a: sideOf(e.at, e.a),
      b: sideOf(e.at, e.b),
    };
  });
}

export function positionLabel(e: Pick<DiffEntry, 'at' | 'round' | 'step'>): string {
  switch (e.at) {
    case 'input':
      return 'Input check';
    case 'recall':
      return 'Memory recalled';
    case 'round':
      return `Planning round ${e.round ?? '?'}`;
    case 'step':
      return `Step ${e.step ?? '?'}${e.round ? ` (round ${e.round})` : ''}`;
    case 'outcome':
      return 'Outcome';
  }
}

interface TraceAction {
  kind?: string;
  target?: string;
  input?: unknown;
}

/** A side's entry in words, from the shapes the orchestrator's trace gives each position. */
export function sideOf(at: DiffEntry['at'], value: unknown): DiffSide {
  if (value === null || value === undefined)
    return { reached: false, title: 'did not get here', parts: [] };
  const v = value as Record<string, unknown>;
  switch (at) {
    case 'input':
      return {
        reached: true,
        title: v['blocked'] ? 'blocked by the input guardrail' : 'passed the input guardrail',
        parts: [],
      };
    case 'recall': {
      const recalled = Array.isArray(v['recalled']) ? (v['recalled'] as unknown[]) : [];
      return {
        reached: true,
        title: recalled.length
          ? `recalled ${recalled.length} item${recalled.length === 1 ? '' : 's'}`
          : 'recalled nothing',
        parts: recalled.length ? [{ label: 'Recalled', value: recalled }] : [],
      };
    }
    case 'round':
      return roundSide(v);
    case 'step':
      return stepSide(v as { action?: TraceAction; result?: Record<string, unknown> });
    case 'outcome':
      return {
        reached: true,
        title: outcomeWords(v),
        parts: typeof v['answer'] === 'string' ? [{ label: 'Answer', value: v['answer'] }] : [],
      };
  }
}

function roundSide(d: Record<string, unknown>): DiffSide {
  if (d['kind'] === 'actions') {
    const actions = (Array.isArray(d['actions']) ? d['actions'] : []) as TraceAction[];
    const rejected = Array.isArray(d['rejected']) ? d['rejected'].length : 0;
    const verbs = actions.map((a) => `${a.kind === 'agent' ? 'delegate to' : 'call'} ${a.target}`);
    return {
      reached: true,
      title: `act: ${verbs.join(', ') || 'nothing'}${rejected ? ` (${rejected} call${rejected === 1 ? '' : 's'} refused)` : ''}`,
      parts: [{ label: 'Actions', value: actions }],
    };
  }
  if (d['kind'] === 'final')
    return {
      reached: true,
      title: `answer ${quote(String(d['answer'] ?? ''))}`,
      parts: [{ label: 'Answer', value: d['answer'] }],
    };
  return { reached: true, title: `give up: ${String(d['code'] ?? 'INTERNAL')}`, parts: [] };
}

function stepSide(s: { action?: TraceAction; result?: Record<string, unknown> }): DiffSide {
  const r = s.result ?? {};
  const status = String(r['status'] ?? 'unknown');
  const code = typeof r['code'] === 'string' ? ` ${r['code']}` : '';
  return {
    reached: true,
    title: `${s.action?.kind === 'agent' ? 'delegate to ' : ''}${s.action?.target ?? '?'}: ${statusWords(status)}${status === 'completed' ? '' : code}`,
    parts: [
      { label: 'Arguments', value: s.action?.input },
      ...('output' in r ? [{ label: 'Result', value: r['output'] }] : []),
    ],
  };
}

function outcomeWords(o: Record<string, unknown>): string {
  const status = String(o['status'] ?? 'unknown');
  if (status === 'completed') return `completed: ${quote(String(o['answer'] ?? ''))}`;
  return `${statusWords(status)}${typeof o['code'] === 'string' ? `: ${o['code']}` : ''}`;
}

const quote = (s: string): string => `“${s.length > 80 ? `${s.slice(0, 77)}…` : s}”`;

/**
 * The comparison in one sentence — identical, or where the runs first differ and what differs there —
 * and the platform's own summary of the divergence.
 */
export function diffHeadline(view: Pick<DiffView, 'identical' | 'firstDivergence'>): {
  text: string;
  summary?: string;
} {
  if (view.identical || !view.firstDivergence)
    return {
      text: 'Identical: the same decisions, steps and outcome (times and ids are not compared).',
    };
  const d = view.firstDivergence;
  const what = differenceWords(d.at, d.expected, d.got);
  return {
    text: `First divergence at ${divergenceWhere(d)}${what ? `: ${what}` : ''}.`,
    summary: d.summary,
  };
}

/** What a side of the comparison is: "Fork of task 1a2b3c4d from step 2", "the original", "task …". */
export function sideName(s: Summary, other: Summary): string {
  if (s.run) return originWords(s.run);
  if (other.run?.of === s.taskId) return `Task ${shortId(s.taskId)}, the original`;
  return `Task ${shortId(s.taskId)}`;
}

export interface SummaryRow {
  label: string;
  a: string;
  b: string;
  /** Whether the two differ in a way that matters (durations always do, and are not compared). */
  differs: boolean;
}

/** The two runs' results and costs, row by row, for the top of the comparison. */
export function summaryRows(a: Summary, b: Summary): SummaryRow[] {
  const cost = (s: Summary) => (s.costUsd !== undefined ? `$${s.costUsd.toFixed(4)}` : '—');
  const rows: [string, (s: Summary) => string, boolean][] = [
    ['Status', (s) => `${statusWords(s.status)}${s.errorCode ? ` (${s.errorCode})` : ''}`, true],
    ['Answer', (s) => s.answer ?? '—', true],
    ['Planning rounds', (s) => String(s.rounds), true],
    ['Steps', (s) => String(s.steps), true],
    ['Tokens', (s) => s.tokens.toLocaleString('en-US'), true],
    ['Cost', cost, true],
    ['Time', (s) => formatDuration(s.durationMs), false],
  ];
  return rows.map(([label, of, compared]) => ({
    label,
    a: of(a),
    b: of(b),
    differs: compared && of(a) !== of(b),
  }));
}
