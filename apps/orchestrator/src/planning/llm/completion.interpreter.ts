import { DomainError, Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import type { PlanDecision, RejectedCall } from '../planner.js';
import type { ArgumentValidator } from './argument-validator.js';
import type { LlmCompletion, LlmToolCall } from './llm.client.js';
import { type CatalogEntry, PLAN_FUNCTION, type ToolCatalog } from './tool-catalog.js';

/**
 * What the LLM planner remembers of a round (persisted with it): the assistant message as the model
 * sent it, and which actions (or which refusal) answer each of its tool calls. Enough to rebuild the
 * conversation after a crash without asking the model again.
 */
export interface LlmRoundMemo {
  assistant: { content: string | null; tool_calls: LlmToolCall[] };
  calls: { toolCallId: string; actionIds: string[]; rejected?: string }[];
}

export type Interpretation =
  | Extract<PlanDecision, { kind: 'actions' }>
  | Extract<PlanDecision, { kind: 'final' }>
  | Extract<PlanDecision, { kind: 'fail' }>;

const REFERENCE = /(\$steps\.|\{\{\s*steps\.)([\w-]+)(?=\.output)/g;
const HAS_REFERENCE = /\$steps\.|\{\{\s*steps\./;

const ArgumentsObject = z.preprocess(
  // Some models send nested arguments as a JSON string.
  (v) => (typeof v === 'string' ? safeJson(v) : (v ?? {})),
  z.record(z.string(), z.unknown()),
);

const PlanArguments = z.object({
  steps: z
    .array(
      z.object({
        id: z.string().min(1).max(40),
        tool: z.string().min(1).max(128),
        arguments: ArgumentsObject,
        description: z.string().max(500).optional(),
      }),
    )
    .min(1)
    .max(25),
});

/**
 * Turns a completion into a decision. Tool calls are untrusted input: a name that was not offered,
 * arguments that are not a JSON object or fail the tool's schema, or a malformed plan are refused —
 * not dispatched — and the reason goes back to the model as that call's result.
 */
// eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
export function interpretCompletion(args: {
  completion: LlmCompletion;
  catalog: ToolCatalog;
  iteration: number;
  validator: ArgumentValidator;
}): Interpretation {
  const { completion, catalog, iteration, validator } = args;
  const texts: string[] = completion.content ? [completion.content] : [];
  if (completion.toolCalls.length === 0) {
    // The completion is the round's record too (a replay feeds it back, docs/replay.md).
    const memo: LlmRoundMemo = {
      assistant: { content: completion.content, tool_calls: [] },
      calls: [],
    };
    const answer = completion.content?.trim() ?? '';
    if (!answer) {
      return {
        kind: 'fail',
        error: new DomainError(
          'UPSTREAM_ERROR',
          'the model returned neither an answer nor a tool call',
        ),
        generatedText: '',
        memo,
      };
    }
    return { kind: 'final', answer, generatedText: answer, memo };
  }
  const actions: Tasks.PlanAction[] = [];
  const groups: string[] = [];
  const rejected: RejectedCall[] = [];
  const memo: LlmRoundMemo = {
    assistant: { content: completion.content, tool_calls: completion.toolCalls },
    calls: [],
  };
  const cut =
    completion.finishReason === 'length' ? ' (the answer was cut at the token limit)' : '';
  completion.toolCalls.forEach((call, n) => {
    const name = call.function.name;
    const parsed = safeJson(call.function.arguments);
    texts.push(
      name,
      parsed === undefined ? call.function.arguments : stringLeaves(parsed).join('\n'),
    );
    const refuse = (reason: string, notOfferedTool?: string) => {
      rejected.push({
        tool: name.slice(0, 128),
        reason,
        ...(notOfferedTool !== undefined ? { notOffered: notOfferedTool.slice(0, 128) } : {}),
      });
      memo.calls.push({ toolCallId: call.id, actionIds: [], rejected: reason });
    };
    if (parsed === undefined || !isObject(parsed))
      return refuse(`the arguments are not a JSON object${cut}`);
    if (name === PLAN_FUNCTION) {
      const plan = planActions(parsed, catalog, iteration, validator);
      if (!Array.isArray(plan)) return refuse(plan.reason, plan.notOffered);
      actions.push(...plan);
      groups.push(...plan.map(() => call.id));
      memo.calls.push({ toolCallId: call.id, actionIds: plan.map((a) => a.id) });
      return;
    }
    const entry = catalog.resolve(name);
    if (!entry) return refuse(notOffered(name, catalog), name);
    const problems = argumentProblems(entry, parsed, validator);
    if (problems) return refuse(problems);
    const action: Tasks.PlanAction = {
      id: `r${iteration}_c${n + 1}`,
      kind: entry.kind,
      target: entry.target,
      input: parsed,
      description: `${entry.kind === 'agent' ? 'delegate to' : 'call'} ${entry.target}`,
    };
    const invalid = contractProblem(action);
    if (invalid) return refuse(invalid);
    actions.push(action);
    groups.push(call.id);
    memo.calls.push({ toolCallId: call.id, actionIds: [action.id] });
  });
  return {
    kind: 'actions',
    actions,
    groups,
    ...(rejected.length ? { rejected } : {}),
    memo,
    generatedText: texts.join('\n'),
  };
}

/** The actions of a `plan` call with ids namespaced by round (ids stay unique per task), or why not. */
function planActions(
  raw: Record<string, unknown>,
  catalog: ToolCatalog,
  iteration: number,
  validator: ArgumentValidator,
): Tasks.PlanAction[] | { reason: string; notOffered?: string } {
  const parsed = PlanArguments.safeParse(raw);
  if (!parsed.success) {
    return {
      reason: `the plan is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`).join('; ')}`,
    };
  }
  const local = new Map<string, string>();
  for (const step of parsed.data.steps) {
    const id = `r${iteration}_${step.id.replace(/[^\w-]/g, '_')}`;
    if (local.has(step.id) || [...local.values()].includes(id))
      return { reason: `the plan uses the step id "${step.id}" twice` };
    local.set(step.id, id);
  }
  const actions: Tasks.PlanAction[] = [];
  for (const step of parsed.data.steps) {
    if (step.tool === PLAN_FUNCTION) return { reason: 'a plan cannot contain another plan' };
    const entry = catalog.resolve(step.tool);
    if (!entry)
      return {
        reason: `step "${step.id}": ${notOffered(step.tool, catalog)}`,
        notOffered: step.tool,
      };
    const input = rewriteReferences(step.arguments, local) as Record<string, unknown>;
    const problems = argumentProblems(entry, input, validator);
    if (problems) return { reason: `step "${step.id}": ${problems}` };
    const action: Tasks.PlanAction = {
      id: local.get(step.id) as string,
      kind: entry.kind,
      target: entry.target,
      input,
      description:
        step.description ?? `${entry.kind === 'agent' ? 'delegate to' : 'call'} ${entry.target}`,
    };
    const invalid = contractProblem(action);
    if (invalid) return { reason: `step "${step.id}": ${invalid}` };
    actions.push(action);
  }
  return actions;
}

/**
 * What makes an action unfit for the task's contract (a NUL in an argument, an over-long description),
 * told to the model like any other refusal so it can try again, instead of failing when it is stored.
 */
function contractProblem(action: Tasks.PlanAction): string | undefined {
  const r = Tasks.PlanAction.safeParse(action);
  if (r.success) return undefined;
  return `the call cannot be run: ${r.error.issues
    .map((i) => `${i.path.join('.') || '(call)'}: ${i.message}`)
    .join('; ')}`;
}

function argumentProblems(
  entry: CatalogEntry,
  input: Record<string, unknown>,
  validator: ArgumentValidator,
): string | undefined {
  // References are resolved just before dispatch; mcp-tools validates the resolved input.
  if (HAS_REFERENCE.test(JSON.stringify(input))) return undefined;
  const problems = validator.problems(entry.parameters, input);
  return problems.length
    ? `invalid arguments for ${entry.functionName}: ${problems.join('; ')}`
    : undefined;
}

function notOffered(name: string, catalog: ToolCatalog): string {
  return `"${name.slice(0, 128)}" is not a function you were offered; use one of: ${catalog.names.join(', ') || '(none)'}`;
}

/** Points a plan's references to its own steps at their task-wide ids. */
function rewriteReferences(value: unknown, local: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(REFERENCE, (m: string, prefix: string, id: string) =>
      local.has(id) ? `${prefix}${local.get(id)}` : m,
    );
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, local));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, rewriteReferences(v, local)]),
    );
  return value;
}

function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...stringLeaves(v)]);
  return value === null || value === undefined ? [] : [String(value)];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeJson(s: string): unknown {
  if (!s.trim()) return {};
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}
