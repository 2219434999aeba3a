import { HttpAgent } from '@ag-ui/client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AnswerView } from '../components/answer.component';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { StatusBadge } from '../components/status-badge.component';
import { useTaskStream } from '../components/task-stream.hook';
import { Timeline } from '../components/timeline.component';
import { useSession } from '../context';
import { forgetEvents } from '../model/event-log';
import { formatDuration, splitList, usageWords } from '../model/format';
import { agUiErrorLine, newId } from '../model/ids';
import { type QuotaRefusal, quotaRefusalOf, quotaRefusalWords } from '../model/quota-refusal';
import { agentReplies, summarize } from '../model/timeline.model';
import { RunForm, type RunRequest } from './run-form.component';

/**
 * Run: a task typed here runs through AG-UI (the official @ag-ui/client against POST /ag-ui), which
 * answers in the conversation; its task events (GET /tasks/{id}/events) make the timeline. The task
 * id goes into the URL, so a reload resumes the timeline after the last event the tab kept.
 */
// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
export function RunView({ taskId }: { taskId?: string | undefined }) {
  const { api, store } = useSession();
  const stream = useTaskStream(api, taskId, { persist: store });
  const [asked, setAsked] = useState<string>();
  const [answer, setAnswer] = useState<string>();
  const [error, setError] = useState<string>();
  const [refusal, setRefusal] = useState<{ refusal: QuotaRefusal; at: number }>();
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const agent = useRef<HttpAgent | undefined>(undefined);
  useEffect(() => () => agent.current?.abortRun(), []);

  const summary = useMemo(() => summarize(stream.events), [stream.events]);
  const replies = useMemo(() => agentReplies(stream.events), [stream.events]);
  const started = stream.events.find((e) => e.name === 'orchestrator.task.started');
  const finalAnswer =
    answer ?? stream.events.find((e) => e.name === 'orchestrator.task.completed')?.data.result;
  const running = taskId !== undefined && !stream.ended;

  const run = (r: RunRequest) => {
    setError(undefined);
    setRefusal(undefined);
    setAnswer(undefined);
    setAsked(r.task);
    setStarting(true);
    agent.current?.abortRun();
    const a = new HttpAgent({
      url: api.url('ag-ui'),
      headers: api.authHeaders(),
      threadId: newId(),
      initialMessages: [{ id: newId(), role: 'user', content: r.task }],
    });
    agent.current = a;
    a.runAgent(
      { runId: newId(), forwardedProps: forwarded(r) },
      {
        onCustomEvent: ({ event }) => {
          const value = event.value as { taskId?: string } | undefined;
          if (event.name === 'switchboard.task' && value?.taskId) {
            setStarting(false);
            location.hash = `#/run/${value.taskId}`;
          }
        },
        onNewMessage: ({ message }) => {
          if (message.role === 'assistant' && typeof message.content === 'string') {
            setAnswer(message.content);
          }
        },
      },
    ).then(
      () => setStarting(false),
      (e: unknown) => {
        setStarting(false);
        if (agent.current !== a) return;
        const over = quotaRefusalOf(e);
        if (over) setRefusal({ refusal: over, at: Date.now() });
        else setError(agUiErrorLine(e));
      },
    );
  };

  const cancel = async () => {
    if (!taskId) return;
    setCancelling(true);
    try {
      await api.post(`tasks/${taskId}/cancel`, { reason: 'cancelled from the console' });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setCancelling(false);
    }
  };

  const startOver = () => {
    agent.current?.abortRun();
    if (taskId) forgetEvents(store, taskId);
    setAsked(undefined);
    setAnswer(undefined);
    setError(undefined);
    location.hash = '#/run';
  };

  return (
    <section aria-labelledby="run-title">
      <h1 id="run-title" tabIndex={-1}>
        Run a task
      </h1>
      {!taskId && <RunForm busy={starting} onRun={run} />}
      {!taskId && refusal && <QuotaRefusalNotice {...refusal} />}
      <ErrorNotice error={error ?? stream.error} />
      {taskId && (
        <>
          <div class="run-bar">
            <p
              role="status"
              aria-live="polite"
              class="run-status"
              data-events={summary.events}
              data-last-seq={stream.events[stream.events.length - 1]?.seq ?? 0}
            >
              <StatusBadge status={summary.status} /> {summary.events} events · {summary.steps} step
              {summary.steps === 1 ? '' : 's'} · {usageWords(summary)}
              {summary.durationMs !== undefined ? ` · ${formatDuration(summary.durationMs)}` : ''}
              {stream.resumedAfter !== undefined
                ? ` · resumed after event ${stream.resumedAfter}`
                : ''}
            </p>
            {running && (
              <button
                type="button"
                class="danger"
                disabled={cancelling}
                onClick={() => void cancel()}
              >
                {cancelling ? 'Cancelling…' : 'Cancel task'}
              </button>
            )}
            {!running && (
              <button type="button" onClick={startOver}>
                New task
              </button>
            )}
            <a href={`#/tasks/${taskId}`}>Task {taskId.slice(0, 8)}</a>
          </div>
          {summary.status === 'waiting_approval' && (
            <p class="notice notice-warn approval-waiting">
              The task waits for a decision before it goes on: approve, edit or reject the call in
              its timeline card below (or in <a href="#/approvals">Approvals</a>).
            </p>
          )}
          <section class="conversation" aria-label="Conversation">
            <p class="bubble bubble-user">
              <span class="who-label">You</span>{' '}
              {asked ?? (started?.name === 'orchestrator.task.started' ? started.data.task : '…')}
            </p>
            {finalAnswer !== undefined && (
              <div class="bubble bubble-agent">
                <span class="who-label">Switchboard</span>
                <AnswerView answer={finalAnswer} replies={replies} />
              </div>
            )}
          </section>
          <h2>Timeline</h2>
          <Timeline events={stream.events} follow />
        </>
      )}
    </section>
  );
}

function forwarded(r: RunRequest): Record<string, unknown> {
  const providers = splitList(r.providers);
  const tools = splitList(r.tools);
  return {
    ...(r.mode === 'custom' || providers.length || tools.length
      ? {
          tool_constraints: {
            mode: r.mode,
            ...(providers.length ? { providers } : {}),
            ...(tools.length ? { tools } : {}),
          },
        }
      : {}),
    ...(r.maxSteps ? { max_steps: Number(r.maxSteps) } : {}),
  };
}

/** A submission a tenant quota refused: which limit of whom, and when to try again (not a generic error). */
function QuotaRefusalNotice({ refusal, at }: { refusal: QuotaRefusal; at: number }) {
  const words = quotaRefusalWords(refusal, at);
  return (
    <div class="notice notice-error quota-refusal" role="alert" data-quota={refusal.quota}>
      <p>
        <strong>{words.title}.</strong> {words.text}
      </p>
      <p class="muted">
        {refusal.message} ({refusal.code}). The quota and today's counters are in{' '}
        <a href="#/usage">Usage</a>.
      </p>
    </div>
  );
}
