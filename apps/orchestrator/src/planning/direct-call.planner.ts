import { DomainError, ErrorCode, type Tasks } from '@switchboard/contracts';
import type {
  AgentPlanning,
  DirectCall,
  PastRound,
  PlanDecision,
  Planner,
  PlanningState,
} from './planner.js';

/** The id of the one action of a direct call (its idempotency key is `<taskId>:call`). */
export const DIRECT_CALL_ACTION_ID = 'call';

/** What the first round of a direct call stores as its memo: how a resumed run knows the task. */
interface DirectCallMemo {
  directCall: { tool: string };
}

/**
 * Plans the tasks that are one tool call (a call through the platform's MCP endpoint that needs
 * approval, docs/mcp.md) and hands every other task to the configured planner. No model is asked:
 * round 1 is exactly that call with exactly that input — the approval gate then treats it as it treats
 * any call — and round 2 ends the task with the call's output, or fails it with the call's error (a
 * rejected approval arrives as a FORBIDDEN step). A resumed run's submission is rebuilt from the stored
 * request, without `call`: the memo of the stored first round says the task is a direct call.
 */
export class DirectCallPlanner implements Planner {
  constructor(private readonly inner: Planner) {}

  get kind(): Tasks.PlannerKind {
    return this.inner.kind;
  }

  get model(): string | undefined {
    return this.inner.model;
  }

  next(state: PlanningState): Promise<PlanDecision> {
    const call = state.call;
    if (call) return Promise.resolve(firstRound(call, state));
    if (isDirectCall(state.rounds)) return Promise.resolve(lastRound(state));
    return this.inner.next(state);
  }

  estimatePromptTokens(state: Omit<PlanningState, 'signal'>): number {
    // A direct call asks no model: it costs no token, whatever the budget.
    if (state.call || isDirectCall(state.rounds)) return 0;
    return this.inner.estimatePromptTokens?.(state) ?? 0;
  }

  asksModel(state: Omit<PlanningState, 'signal'>): boolean {
    if (state.call || isDirectCall(state.rounds)) return false;
    return this.inner.asksModel?.(state) ?? false;
  }

  forAgent(agent: AgentPlanning): Planner {
    const inner = this.inner.forAgent?.(agent);
    return inner ? new DirectCallPlanner(inner) : this;
  }
}

function firstRound(call: DirectCall, state: PlanningState): PlanDecision {
  if (state.iteration > 1 || state.steps.length > 0) return lastRound(state);
  // The gateway submits a direct call only for a tool it was offered; the manifest may have changed.
  if (!state.tools.some((t) => t.name === call.tool)) {
    return {
      kind: 'fail',
      error: new DomainError(
        'FORBIDDEN',
        `tool ${call.tool} is not available to you (not offered to this task: your role or the session's tool constraints exclude it, or this stack does not run it)`,
      ),
    };
  }
  const memo: DirectCallMemo = { directCall: { tool: call.tool } };
  return {
    kind: 'actions',
    actions: [
      {
        id: DIRECT_CALL_ACTION_ID,
        kind: 'tool',
        target: call.tool,
        input: call.input,
        description: `call ${call.tool} as asked through the MCP endpoint`,
      },
    ],
    memo,
  };
}

/** After the call: its output is the answer, its failure the task's. */
function lastRound(state: PlanningState): PlanDecision {
  const step = state.steps.find((s) => s.action.id === DIRECT_CALL_ACTION_ID);
  if (!step) {
    return {
      kind: 'fail',
      error: new DomainError('INTERNAL', 'the direct call ended without running its tool call'),
    };
  }
  if (step.status === 'failed') {
    const error = step.error ?? { code: 'INTERNAL', message: 'the call failed' };
    return {
      kind: 'fail',
      error: new DomainError(asCode(error.code), `${step.action.target}: ${error.message}`, {
        retryable: error.retryable ?? false,
      }),
    };
  }
  const { output } = step;
  return {
    kind: 'final',
    answer: typeof output === 'string' ? output : JSON.stringify(output ?? null),
    ...(output !== undefined ? { output } : {}),
  };
}

function isDirectCall(rounds: readonly PastRound[]): boolean {
  const memo = rounds.find((r) => r.iteration === 1)?.decision.memo;
  return (
    typeof memo === 'object' &&
    memo !== null &&
    typeof (memo as Partial<DirectCallMemo>).directCall?.tool === 'string'
  );
}

function asCode(code: string): ErrorCode {
  const parsed = ErrorCode.safeParse(code);
  return parsed.success ? parsed.data : 'INTERNAL';
}
