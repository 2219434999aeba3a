import {
  a2aStateWords,
  actionWords,
  delegationFacts,
  formatDateTime,
  formatDuration,
  formatTime,
  formatTokens,
} from '../model/format';
import type { ForkAt } from '../model/fork-form';
import type { ApprovalCard } from '../model/timeline-approvals.model';
import { recalledTitle } from '../model/timeline-memory.model';
import type { Card } from '../model/timeline.model';
import { AnswerView } from './answer.component';
import { ApprovalControls } from './approval-controls.component';
import { RecalledBody } from './recalled.component';
import { ForkFromHere, type ForkSource } from './fork-editor.component';
import { JsonView } from './json-view.component';
import { Markdown } from './markdown.component';
import { StatusBadge } from './status-badge.component';
import { VerdictBody } from './verdict.component';

/**
 * One card of a task's timeline: what happened, in words first, with the data folded underneath.
 * With `fork` (an ended task's step or planning round), the card offers "Fork from here".
 */
export function EventCard({
  card,
  fork,
}: {
  card: Card;
  fork?: { source: ForkSource; at: ForkAt } | undefined;
}) {
  return (
    <article
      class={`card card-${card.kind}${card.kind === 'verdict' ? ` ${verdictClass(card)}` : ''}`}
      data-kind={card.kind}
      data-seq={card.seq}
      {...(card.kind === 'tool' || card.kind === 'delegation'
        ? { 'data-step': card.index + 1 }
        : {})}
      {...(card.kind === 'planning' ? { 'data-round': card.iteration } : {})}
    >
      <header class="card-head">
        <span class="card-title">{titleOf(card)}</span>
        <span class="card-meta">
          <time dateTime={card.at}>{formatTime(card.at)}</time> · #{card.seq}
        </span>
      </header>
      <CardBody card={card} />
      {fork && <ForkFromHere source={fork.source} at={fork.at} cardKey={card.key} />}
    </article>
  );
}

const verdictClass = (c: Extract<Card, { kind: 'verdict' }>): string =>
  c.verdict.identical ? 'verdict-identical' : 'verdict-diverged';

function titleOf(c: Card): string {
  switch (c.kind) {
    case 'started':
      return 'Task started';
    case 'toolbox':
      return `Toolbox: ${c.count} tool${c.count === 1 ? '' : 's'}`;
    case 'planning':
      return `Planning round ${c.iteration}`;
    case 'tool':
      return `Tool call: ${c.tool}`;
    case 'delegation':
      return `Delegation to ${c.agent}`;
    case 'guardrail':
      return 'Guardrail refusal';
    case 'recalled':
      return recalledTitle(c);
    case 'approval':
      return `Approval: ${c.target}`;
    case 'verdict':
      return c.verdict.identical ? 'Replay verdict: identical' : 'Replay verdict: diverged';
    case 'answer':
      return 'Answer';
    case 'failed':
      return 'Task failed';
    case 'cancelled':
      return 'Task cancelled';
  }
}

function CardBody({ card: c }: { card: Card }) {
  switch (c.kind) {
    case 'started':
      return (
        <p>
          <q>{c.task}</q> — for <strong>{c.userId}</strong>, planned by the{' '}
          {c.planner === 'llm' ? `LLM${c.model ? ` (${c.model})` : ''}` : 'built-in planner'}
        </p>
      );
    case 'toolbox':
      return (
        <p>
          Mode <code>{c.mode}</code>
          {c.cached ? ' (from cache)' : ''}: {c.tools.join(', ') || 'no tools'}
        </p>
      );
    case 'planning':
      return <PlanningBody card={c} />;
    case 'tool':
      return (
        <div>
          <p>
            <StatusBadge status={c.status} /> step {c.index + 1} ({c.stepId})
            {c.durationMs !== undefined ? ` · ${formatDuration(c.durationMs)}` : ''}
          </p>
          <JsonView label="Arguments" value={c.input} />
          {c.output !== undefined && <JsonView label="Result" value={c.output} />}
          {c.error && <ErrorLine error={c.error} />}
        </div>
      );
    case 'delegation':
      return <DelegationBody card={c} />;
    case 'guardrail':
      return (
        <p>
          <StatusBadge status="refused" /> rule <code>{c.rule}</code> blocked the {c.stage}
          {c.stepId ? ` of step ${c.stepId}` : ''}; the blocked text is not shown.
        </p>
      );
    case 'approval':
      return <ApprovalBody card={c} />;
    case 'recalled':
      return <RecalledBody card={c} />;
    case 'verdict':
      return <VerdictBody verdict={c.verdict} />;
    case 'answer':
      return (
        <div>
          <AnswerView answer={c.result} replies={c.replies} />
          <p class="muted">
            {c.steps} step{c.steps === 1 ? '' : 's'} · {formatDuration(c.durationMs)} ·{' '}
            {c.usage ? `${formatTokens(c.usage)} · ` : ''}
            {c.planner === 'llm' ? 'LLM' : 'built-in planner, no LLM'}
          </p>
        </div>
      );
    case 'failed':
      return (
        <div>
          <ErrorLine error={c.error} />
          <p class="muted">
            after {c.steps} step{c.steps === 1 ? '' : 's'}, {formatDuration(c.durationMs)}
            {c.usage ? ` · ${formatTokens(c.usage)}` : ''}
          </p>
        </div>
      );
    case 'cancelled':
      return (
        <p>
          {c.reason} <span class="muted">· after {formatDuration(c.durationMs)}</span>
        </p>
      );
  }
}

const DECISIONS: Record<string, string> = {
  actions: 'act',
  final: 'answer',
  fail: 'give up',
  stopped: 'stopped (cancelled)',
};

function PlanningBody({ card: c }: { card: Extract<Card, { kind: 'planning' }> }) {
  if (!c.done) return <p class="muted">Planning…</p>;
  return (
    <div>
      <p>
        Decision <strong>{DECISIONS[c.decision ?? 'actions'] ?? c.decision}</strong>
        {c.actions.length ? `: ${c.actions.length} action${c.actions.length === 1 ? '' : 's'}` : ''}
        {c.durationMs !== undefined ? ` · ${formatDuration(c.durationMs)}` : ''}
        {c.usage ? ` · ${formatTokens(c.usage)}` : ''}
        {c.model ? ` · ${c.model}` : ''}
      </p>
      {c.actions.length > 0 && (
        <ol class="actions">
          {c.actions.map((a, i) => {
            const { verb, target, detail } = actionWords(a);
            return (
              <li key={i}>
                {verb} <code>{target}</code>
                {detail ? ` — ${detail}` : ''}
              </li>
            );
          })}
        </ol>
      )}
      {c.rejected.map((r, i) => (
        <p key={i} class="warn">
          Refused call to <code>{r.tool}</code>: {r.reason}
        </p>
      ))}
    </div>
  );
}

function DelegationBody({ card: c }: { card: Extract<Card, { kind: 'delegation' }> }) {
  const facts = delegationFacts(c);
  return (
    <div>
      <p>
        <StatusBadge status={c.status} />
        {facts.transport && (
          <>
            {' '}
            via{' '}
            <span class={`transport transport-${facts.transport}`} data-transport={facts.transport}>
              {facts.transport.toUpperCase()}
            </span>
          </>
        )}
        {facts.state ? ` · ${facts.state}` : ''}
        {facts.duration ? ` · ${facts.duration}` : ''}
      </p>
      {c.message && <JsonView label="Message" value={c.message} />}
      {c.updates.length > 0 && (
        <ol class="updates" aria-label="Status updates">
          {c.updates.map((u, i) => (
            <li key={i}>
              <time dateTime={u.at}>{formatTime(u.at)}</time> {a2aStateWords(u.state)}
              {u.text ? `: ${u.text}` : ''}
            </li>
          ))}
        </ol>
      )}
      {c.result !== undefined && (
        <details class="json">
          <summary>Reply</summary>
          <Markdown text={c.result} />
        </details>
      )}
      {c.output !== undefined && c.result === undefined && (
        <JsonView label="Result" value={c.output} />
      )}
      {c.error && <ErrorLine error={c.error} />}
    </div>
  );
}

/** A call held for a person's decision: what and why, then the controls (pending) or the decision. */
function ApprovalBody({ card: c }: { card: ApprovalCard }) {
  return (
    <div>
      <p>
        <StatusBadge status={c.status} /> {c.callKind === 'agent' ? 'delegate to' : 'call'}{' '}
        <code>{c.target}</code> (step {c.stepId}){c.reason ? ` — ${c.reason}` : ''}
      </p>
      <JsonView label="Arguments" value={c.input} />
      {c.status === 'pending' ? (
        <>
          <p class="muted">
            Waiting for a person's decision; expires{' '}
            <time dateTime={c.expiresAt}>{formatDateTime(c.expiresAt)}</time>.
          </p>
          <ApprovalControls
            call={{
              taskId: c.taskId,
              approvalId: c.approvalId,
              kind: c.callKind,
              target: c.target,
              input: c.input,
            }}
          />
        </>
      ) : (
        <p class="approval-outcome">
          {c.status === 'cancelled' && !c.decidedAt
            ? 'Nobody decided it before the task ended.'
            : `${c.status[0]?.toUpperCase()}${c.status.slice(1)}`}
          {c.decidedBy ? ` by ${c.decidedBy}` : ''}
          {c.edited ? ', with edited arguments (the call ran with those)' : ''}
          {c.decidedAt ? (
            <>
              {' '}
              at <time dateTime={c.decidedAt}>{formatTime(c.decidedAt)}</time>
            </>
          ) : null}
          {c.comment ? (
            <>
              : <q>{c.comment}</q>
            </>
          ) : null}
        </p>
      )}
    </div>
  );
}

function ErrorLine({ error }: { error: { code: string; message: string } }) {
  return (
    <p class="error">
      <code>{error.code}</code> {error.message}
    </p>
  );
}
