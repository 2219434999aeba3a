// `switchboard eval run --dataset <name> --agent <name> --version <n|label> [--baseline <n|label>]
// [--threshold <0-1>] [--scorer <spec>]…`: an experiment as a gate (docs/evaluations.md), parsed
// like the other subcommands.
import { type Actor, Evaluations, TenantId } from '@switchboard/contracts';
import {
  ACTOR,
  actorOf,
  ANSWER,
  type AnswerFlags,
  answerOf,
  intFlag,
  noPositionals,
  parse,
  subcommandError,
  UsageError,
} from './args.parsing.js';
import type { EvalCommandName } from './cli.commands.js';

export interface EvalRunCommand extends AnswerFlags {
  name: EvalCommandName;
  body: Evaluations.ExperimentBody;
  /** The candidate's mean must reach it (0-1). */
  threshold?: number;
  actor: Actor;
  /** How often the experiment is read while it runs, and for how long at most. */
  pollMs: number;
  waitMs: number;
}

const COMMAND: EvalCommandName = 'eval run';
const DEFAULT_SCORERS = ['trajectory', 'contains'];

/** `switchboard eval <sub> …` (`args`: what follows `eval`). */
export function parseEval(
  args: readonly string[],
): EvalRunCommand | { name: 'help'; topic: EvalCommandName } {
  const [sub, ...rest] = args;
  if (sub !== 'run')
    throw subcommandError(
      'eval',
      sub,
      '`switchboard eval run --dataset <name> --agent <name> --version <n|label>`',
      ['run'],
    );
  const { values, positionals } = parse(COMMAND, rest, {
    ...ACTOR,
    tenant: { type: 'string' },
    dataset: { type: 'string' },
    agent: { type: 'string' },
    version: { type: 'string' },
    baseline: { type: 'string' },
    threshold: { type: 'string' },
    scorer: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    'poll-ms': { type: 'string' },
    'wait-s': { type: 'string' },
    ...ANSWER,
  });
  if (values.help) return { name: 'help', topic: COMMAND };
  noPositionals(COMMAND, positionals);
  const need = (flag: 'dataset' | 'agent' | 'version'): string => {
    const v = values[flag];
    if (typeof v !== 'string')
      throw new UsageError(`switchboard eval run: --${flag} is required`, COMMAND);
    return v;
  };
  const tenant = typeof values.tenant === 'string' ? values.tenant : undefined;
  if (tenant !== undefined && !TenantId.safeParse(tenant).success)
    throw new UsageError(
      `switchboard eval run: --tenant must be a tenant id, got "${tenant}"`,
      COMMAND,
    );
  const body = Evaluations.ExperimentBody.safeParse({
    dataset: need('dataset'),
    agent: { name: need('agent'), ...choiceOf(need('version')) },
    ...(typeof values.baseline === 'string' ? { baseline: choiceOf(values.baseline) } : {}),
    scorers: ((values.scorer as string[] | undefined) ?? DEFAULT_SCORERS).map(scorerOf),
    concurrency: intFlag(COMMAND, 'concurrency', values.concurrency, {
      min: 1,
      max: 8,
      fallback: 4,
    }),
  });
  if (!body.success) {
    const issue = body.error.issues[0];
    throw new UsageError(
      `switchboard eval run: ${issue?.path.join('.')}: ${issue?.message}`,
      COMMAND,
    );
  }
  return {
    name: COMMAND,
    body: body.data,
    ...thresholdOf(values.threshold),
    actor: { ...actorOf(COMMAND, values), ...(tenant ? { tenantId: tenant } : {}) },
    pollMs: intFlag(COMMAND, 'poll-ms', values['poll-ms'], {
      min: 50,
      max: 60_000,
      fallback: 1_000,
    }),
    waitMs:
      1_000 *
      intFlag(COMMAND, 'wait-s', values['wait-s'], { min: 1, max: 86_400, fallback: 1_800 }),
    ...answerOf(COMMAND, values),
  };
}

/** `3` a version number, anything else a label. */
export function choiceOf(v: string): { version: number } | { label: string } {
  return /^\d+$/.test(v) ? { version: Number(v) } : { label: v };
}

/**
 * A scorer from the command line: `exact`, `contains`, `json-schema`, `trajectory[:<mode>[:<args>]]`,
 * `regex:<pattern>`, `judge:<rubric>`, or a JSON object (the API's scorer).
 */
export function scorerOf(s: string): unknown {
  if (s.startsWith('{')) {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      throw new UsageError(`switchboard eval run: --scorer ${s} is not JSON`, COMMAND);
    }
  }
  const [kind, ...rest] = s.split(':');
  const arg = rest.join(':');
  if (kind === 'trajectory') {
    const [mode, args] = rest;
    return { kind, ...(mode ? { mode } : {}), ...(args ? { args } : {}) };
  }
  if (kind === 'regex') return { kind, pattern: arg };
  if (kind === 'judge') return { kind, rubric: arg };
  return { kind };
}

function thresholdOf(value: unknown): { threshold?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(
      `switchboard eval run: --threshold must be a number from 0 to 1, got "${String(value)}"`,
      COMMAND,
    );
  return { threshold: n };
}
