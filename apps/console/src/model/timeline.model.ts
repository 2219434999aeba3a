import type { ErrorBody, Tasks } from '@switchboard/contracts';
import type { AgentReply } from './answer';
import { isTerminal, type TaskEvent } from './event-log';
import type { CardBase } from './timeline-card.model';
import { type RecalledCardFields, recalled } from './timeline-memory.model';
import {
  approval,
  type ApprovalCard,
  type ApprovalCardFields,
  closeApprovals,
} from './timeline-approvals.model';

type Usage = Tasks.TokenUsage;
type Transport = 'http' | 'xmpp';

export type Card = CardBase &
  (
    | { kind: 'started'; task: string; planner: string; model?: string; userId: string }
    | { kind: 'toolbox'; count: number; mode: string; cached: boolean; tools: string[] }
    | {
        kind: 'planning';
        iteration: number;
        planner: string;
        done: boolean;
        decision?: string;
        actions: { kind: string; target: string; description: string }[];
        /** The round's plan as the planner made it (what a fork from this round may edit). */
        plan: Tasks.PlanAction[];
        rejected: { tool: string; reason: string }[];
        usage?: Usage;
        model?: string;
        durationMs?: number;
      }
    | {
        kind: 'tool';
        stepId: string;
        index: number;
        tool: string;
        input: unknown;
        status: 'running' | 'completed' | 'failed';
        output?: unknown;
        error?: ErrorBody;
        durationMs?: number;
      }
    | {
        kind: 'delegation';
        stepId: string;
        index: number;
        agent: string;
        input: unknown;
        transport?: Transport;
        message?: string;
        updates: { state: string; text?: string; at: string }[];
        status: 'running' | 'completed' | 'failed';
        state?: string;
        result?: string;
        output?: unknown;
        error?: ErrorBody;
        durationMs?: number;
      }
    | { kind: 'guardrail'; stage: string; rule: string; stepId?: string }
    /** A replay's verdict (`orchestrator.replay.verdict`): identical to its record, or where it diverged. */
    | { kind: 'verdict'; verdict: Tasks.ReplayVerdict }
    | ApprovalCardFields
    | RecalledCardFields
    | {
        kind: 'answer';
        result: string;
        /** The delegations' replies, in step order (the answer may quote each: answerParts). */
        replies: AgentReply[];
        planner: string;
        steps: number;
        durationMs: number;
        usage?: Usage;
      }
    | { kind: 'failed'; error: ErrorBody; steps: number; durationMs: number; usage?: Usage }
    | { kind: 'cancelled'; reason: string; steps: number; durationMs: number; usage?: Usage }
  );

export type StepCard = Extract<Card, { kind: 'tool' | 'delegation' }>;

/**
 * Folds a task's events into the timeline's cards: one per planning round, per step (a tool call, or
 * a delegation with its transport and status updates), per guardrail refusal, what memory recalled
 * before the first round, and the ending (the
 * answer, the failure or the cancellation). The mcp.* and a2a.* events of a step land on its card.
 */
export function buildTimeline(events: readonly TaskEvent[]): Card[] {
  const cards: Card[] = [];
  const steps = new Map<string, StepCard>(); // stepId → its latest card
  const rounds = new Map<number, Extract<Card, { kind: 'planning' }>>();
  const approvals = new Map<string, ApprovalCard>(); // approvalId → its card
  const base = (e: TaskEvent, key: string): CardBase => ({ key, seq: e.seq, at: e.at });
  for (const e of events) {
    if (e.name === 'orchestrator.task.completed') closeRounds(rounds, 'final');
    if (e.name === 'orchestrator.task.failed') closeRounds(rounds, 'fail');
    if (e.name === 'orchestrator.task.cancelled') closeRounds(rounds, 'stopped');
    if (isTerminal(e)) closeApprovals(approvals);
    switch (e.name) {
      case 'orchestrator.task.started':
        cards.push({
          ...base(e, 'started'),
          kind: 'started',
          task: e.data.task,
          planner: e.data.planner,
          userId: e.data.userId,
          ...(e.data.model ? { model: e.data.model } : {}),
        });
        break;
      case 'mcp.toolbox.generated':
        cards.push({
          ...base(e, `toolbox-${e.seq}`),
          kind: 'toolbox',
          count: e.data.count,
          mode: e.data.mode,
          cached: e.data.cached,
          tools: e.data.tools.map((t) => `${t.provider}/${t.name}`),
        });
        break;
      case 'orchestrator.memory.recalled':
        cards.push(recalled(base(e, `recalled-${e.seq}`), e));
        break;
      case 'orchestrator.planning.started':
        openRound(cards, rounds, base(e, `planning-${e.seq}`), e.data);
        break;
      case 'orchestrator.planning.completed':
        planned(cards, rounds, e, base(e, `planning-${e.seq}`));
        break;
      case 'orchestrator.step.dispatching':
        dispatched(cards, steps, e, base(e, `step-${e.seq}`));
        break;
      case 'orchestrator.approval.requested':
      case 'orchestrator.approval.decided': {
        const opened = approval(approvals, e, base(e, `approval-${e.seq}`));
        if (opened) cards.push(opened);
        break;
      }
      default:
        onStepOrEnd(cards, steps, e, base);
    }
  }
  return cards;
}

/** Rounds still open when the task ends: the ending was their decision (the last round answers). */
function closeRounds(
  rounds: Map<number, Extract<Card, { kind: 'planning' }>>,
  decision: string,
): void {
  for (const round of rounds.values()) {
    if (!round.done) Object.assign(round, { done: true, decision });
  }
}

/** A planning round's card, open until the round's plan (or the task's end) closes it. */
function openRound(
  cards: Card[],
  rounds: Map<number, Extract<Card, { kind: 'planning' }>>,
  b: CardBase,
  round: { iteration: number; planner: string },
): Extract<Card, { kind: 'planning' }> {
  const card = {
    ...b,
    kind: 'planning' as const,
    iteration: round.iteration,
    planner: round.planner,
    done: false,
    actions: [],
    plan: [],
    rejected: [],
  };
  rounds.set(round.iteration, card);
  cards.push(card);
  return card;
}

function planned(
  cards: Card[],
  rounds: Map<number, Extract<Card, { kind: 'planning' }>>,
  e: Extract<TaskEvent, { name: 'orchestrator.planning.completed' }>,
  b: CardBase,
): void {
  const card = rounds.get(e.data.iteration) ?? openRound(cards, rounds, b, e.data);
  Object.assign(card, {
    done: true,
    actions: e.data.plan.map((a) => ({
      kind: a.kind,
      target: a.target,
      description: a.description,
    })),
    plan: e.data.plan,
    rejected: e.data.rejected ?? [],
    ...(e.data.decision ? { decision: e.data.decision } : {}),
    ...(e.data.usage ? { usage: e.data.usage } : {}),
    ...(e.data.model ? { model: e.data.model } : {}),
    ...(e.data.durationMs !== undefined ? { durationMs: e.data.durationMs } : {}),
  });
}

function dispatched(
  cards: Card[],
  steps: Map<string, StepCard>,
  e: Extract<TaskEvent, { name: 'orchestrator.step.dispatching' }>,
  b: CardBase,
): void {
  const common = {
    stepId: e.data.stepId,
    index: e.data.index,
    input: e.data.input,
    status: 'running' as const,
  };
  const card: StepCard =
    e.data.kind === 'agent'
      ? { ...b, ...common, kind: 'delegation', agent: e.data.target, updates: [] }
      : { ...b, ...common, kind: 'tool', tool: e.data.target };
  steps.set(e.data.stepId, card);
  cards.push(card);
}

function onStepOrEnd(
  cards: Card[],
  steps: Map<string, StepCard>,
  e: TaskEvent,
  base: (e: TaskEvent, key: string) => CardBase,
): void {
  switch (e.name) {
    case 'orchestrator.step.completed':
    case 'mcp.task.completed': {
      const card = steps.get(e.data.stepId);
      if (card)
        Object.assign(card, {
          status: 'completed',
          output: e.data.output,
          durationMs: e.data.durationMs,
        });
      return;
    }
    case 'orchestrator.step.failed':
    case 'mcp.task.failed': {
      const card = steps.get(e.data.stepId);
      if (card) Object.assign(card, { status: 'failed', error: e.data.error });
      return;
    }
    case 'a2a.delegation.started':
    case 'a2a.delegation.status':
    case 'a2a.delegation.result':
      delegated(steps, e);
      return;
    case 'orchestrator.guardrail.violation':
      cards.push({
        ...base(e, `guardrail-${e.seq}`),
        kind: 'guardrail',
        stage: e.data.stage,
        rule: e.data.rule,
        ...(e.data.stepId ? { stepId: e.data.stepId } : {}),
      });
      return;
    case 'orchestrator.replay.verdict':
      cards.push({ ...base(e, 'verdict'), kind: 'verdict', verdict: e.data });
      return;
    case 'orchestrator.task.completed':
      cards.push({
        ...ending(base(e, 'end'), e.data),
        kind: 'answer',
        result: e.data.result,
        replies: repliesOf(steps.values()),
        planner: e.data.planner,
      });
      return;
    case 'orchestrator.task.failed':
      cards.push({ ...ending(base(e, 'end'), e.data), kind: 'failed', error: e.data.error });
      return;
    case 'orchestrator.task.cancelled':
      cards.push({ ...ending(base(e, 'end'), e.data), kind: 'cancelled', reason: e.data.reason });
      return;
    default:
      return;
  }
}

/** What each completed delegation answered: the step's output text (what the planner read), else the agent's result. */
function repliesOf(cards: Iterable<Card>): AgentReply[] {
  const replies: (AgentReply & { index: number })[] = [];
  for (const c of cards) {
    if (c.kind !== 'delegation' || c.status !== 'completed') continue;
    const out = c.output as { text?: unknown } | undefined;
    const text = typeof out?.text === 'string' ? out.text : c.result;
    if (text !== undefined) replies.push({ agent: c.agent, text, index: c.index });
  }
  return replies.sort((a, b) => a.index - b.index).map(({ agent, text }) => ({ agent, text }));
}

/** The replies of a task's delegations so far, for its answer in the conversation. */
export function agentReplies(events: readonly TaskEvent[]): AgentReply[] {
  return repliesOf(buildTimeline(events));
}

/** What every ending card shows besides its outcome: steps, duration and token use. */
function ending(
  b: CardBase,
  d: { steps: number; durationMs: number; usage?: Usage | undefined },
): CardBase & { steps: number; durationMs: number; usage?: Usage } {
  return { ...b, steps: d.steps, durationMs: d.durationMs, ...(d.usage ? { usage: d.usage } : {}) };
}

function delegated(
  steps: Map<string, StepCard>,
  e: Extract<
    TaskEvent,
    { name: 'a2a.delegation.started' | 'a2a.delegation.status' | 'a2a.delegation.result' }
  >,
): void {
  const card = steps.get(e.data.stepId);
  if (!card || card.kind !== 'delegation') return;
  card.transport = e.data.transport;
  if (e.name === 'a2a.delegation.started') {
    card.message = e.data.message;
  } else if (e.name === 'a2a.delegation.status') {
    card.updates = [
      ...card.updates,
      { state: e.data.state, at: e.at, ...(e.data.text ? { text: e.data.text } : {}) },
    ];
    card.state = e.data.state;
  } else {
    Object.assign(card, {
      state: e.data.state,
      result: e.data.text,
      durationMs: e.data.durationMs,
    });
  }
}
