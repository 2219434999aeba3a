import { HttpAgent } from '@ag-ui/client';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AnswerView } from '../components/answer.component';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { ReplayButton, RunOriginLine } from '../components/rerun.component';
import { RunTree } from '../components/run-tree.component';
import { StatusBadge } from '../components/status-badge.component';
import { type TaskStream, useTaskStream } from '../components/task-stream.hook';
import { Timeline } from '../components/timeline.component';
import { VerdictNotice } from '../components/verdict.component';
import { useSession } from '../context';
import { forgetEvents } from '../model/event-log';
import { formatDuration, splitList, usageWords } from '../model/format';
import { agUiErrorLine, newId } from '../model/ids';
import { type QuotaRefusal, quotaRefusalOf, quotaRefusalWords } from '../model/quota-refusal';
import { startedOf, verdictOf } from '../model/replay';
import { type RunSummary, summarize } from '../model/run-summary.model';
import { agentReplies } from '../model/timeline.model';
import { RunForm, type RunRequest } from './run-form.component';

/** The conversation of the run this page started through AG-UI (its task id once announced). */
interface Conversation {
  taskId?: string;
  asked?: string;
  answer?: string;
}

/**
 * Run: a task typed here runs through AG-UI (the official @ag-ui/client against POST /ag-ui), which
 * answers in the conversation; its task events (GET /tasks/{id}/events) make the timeline. The task
 * id goes into the URL, so a reload resumes the timeline after the last event the tab kept. A replay
 * or fork started here is followed the same way, by its task id.
 */
export function RunView({ taskId }: { taskId?: string | undefined }) {
  const { client, headers, store } = useSession();
  const stream = useTaskStream(client, taskId, { persist: store });
  const [conversation, setConversation] = useState<Conversation>({});
  const [error, setError] = useState<string>();
  const [refusal, setRefusal] = useState<{ refusal: QuotaRefusal; at: number }>();
  const [starting, setStarting] = useState(false);
  const agent = useRef<HttpAgent | undefined>(undefined);
  useEffect(() => () => agent.current?.abortRun(), []);

  const run = (r: RunRequest) => {
    setError(undefined);
    setRefusal(undefined);
    setConversation({ asked: r.task });
    setStarting(true);
    agent.current?.abortRun();
    agent.current = startRun({ url: client.url('ag-ui'), headers }, r, {
      onTask: (id) => {
        setStarting(false);
        setConversation((c) => ({ ...c, taskId: id }));
        location.hash = `#/run/${id}`;
      },
      onAnswer: (answer) => setConversation((c) => ({ ...c, answer })),
      onEnd: (a, e) => {
        setStarting(false);
        if (e === undefined || agent.current !== a) return;
        const over = quotaRefusalOf(e);
        if (over) setRefusal({ refusal: over, at: Date.now() });
        else setError(agUiErrorLine(e));
      },
    });
  };

  const startOver = () => {
    agent.current?.abortRun();
    if (taskId) forgetEvents(store, taskId);
    setConversation({});
    setError(undefined);
    location.hash = '#/run';
  };

  return (
    <Page id="run" title="Run a task">
      {!taskId && <RunForm busy={starting} onRun={run} />}
      {!taskId && refusal && <QuotaRefusalNotice {...refusal} />}
      <ErrorNotice error={error ?? stream.error} />
      {taskId && (
        <TaskRun
          taskId={taskId}
          stream={stream}
          // The AG-UI conversation belongs to the task it started, not to a replay or fork followed since.
          conversation={conversation.taskId === taskId ? conversation : {}}
          onError={setError}
          onStartOver={startOver}
        />
      )}
    </Page>
  );
}

/** Starts a run through AG-UI; the callbacks hear its task id, its answer, and how it ended. */
function startRun(
  endpoint: { url: string; headers: Record<string, string> },
  r: RunRequest,
  cb: {
    onTask: (taskId: string) => void;
    onAnswer: (answer: string) => void;
    onEnd: (agent: HttpAgent, error?: unknown) => void;
  },
): HttpAgent {
  const a = new HttpAgent({
    url: endpoint.url,
    headers: endpoint.headers,
    threadId: newId(),
    initialMessages: [{ id: newId(), role: 'user', content: r.task }],
  });
  a.runAgent(
    { runId: newId(), forwardedProps: forwarded(r) },
    {
      onCustomEvent: ({ event }) => {
        const value = event.value as { taskId?: string } | undefined;
        if (event.name === 'switchboard.task' && value?.taskId) cb.onTask(value.taskId);
      },
      onNewMessage: ({ message }) => {
        if (message.role === 'assistant' && typeof message.content === 'string')
          cb.onAnswer(message.content);
      },
    },
  ).then(
    () => cb.onEnd(a),
    (e: unknown) => cb.onEnd(a, e ?? new Error('the run failed')),
  );
  return a;
}

/** A followed task and what its page does with it; the run bar gets them as they are. */
interface FollowedTask {
  taskId: string;
  stream: TaskStream;
  onError: (message: string | undefined) => void;
  onStartOver: () => void;
}

/** One task followed by its events: status, origin and verdict, conversation, runs, timeline. */
function TaskRun(p: FollowedTask & { conversation: Conversation }) {
  const { stream, taskId } = p;
  const summary = useMemo(() => summarize(stream.events), [stream.events]);
  const replies = useMemo(() => agentReplies(stream.events), [stream.events]);
  const started = useMemo(() => startedOf(stream.events), [stream.events]);
  const verdict = useMemo(() => verdictOf(stream.events), [stream.events]);
  const finalAnswer =
    p.conversation.answer ??
    stream.events.find((e) => e.name === 'orchestrator.task.completed')?.data.result;
  return (
    <>
      <RunBar {...p} summary={summary} />
      {started?.run && <RunOriginLine taskId={taskId} run={started.run} ended={stream.ended} />}
      {verdict && <VerdictNotice verdict={verdict} />}
      {summary.status === 'waiting_approval' && (
        <p class="notice notice-warn approval-waiting">
          The task waits for a decision before it goes on: approve, edit or reject the call in its
          timeline card below (or in <a href="#/approvals">Approvals</a>).
        </p>
      )}
      <section class="conversation" aria-label="Conversation">
        <p class="bubble bubble-user">
          <span class="who-label">You</span> {p.conversation.asked ?? started?.task ?? '…'}
        </p>
        {finalAnswer !== undefined && (
          <div class="bubble bubble-agent">
            <span class="who-label">Switchboard</span>
            <AnswerView answer={finalAnswer} replies={replies} />
          </div>
        )}
      </section>
      {stream.ended && <RunTree taskId={taskId} />}
      <h2>Timeline</h2>
      <Timeline
        events={stream.events}
        follow
        fork={stream.ended && started ? { taskId, task: started.task } : undefined}
      />
    </>
  );
}

/** The status line, and what can be done with the task: cancel it while it runs; replay it once ended. */
function RunBar(p: FollowedTask & { summary: RunSummary }) {
  const { client } = useSession();
  const [cancelling, setCancelling] = useState(false);
  const { summary, stream, taskId } = p;
  const cancel = async () => {
    setCancelling(true);
    try {
      await client.tasks.cancel(taskId, 'cancelled from the console');
    } catch (e) {
      p.onError(describeError(e));
    } finally {
      setCancelling(false);
    }
  };
  return (
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
        {stream.resumedAfter !== undefined ? ` · resumed after event ${stream.resumedAfter}` : ''}
      </p>
      {!stream.ended ? (
        <button type="button" class="danger" disabled={cancelling} onClick={() => void cancel()}>
          {cancelling ? 'Cancelling…' : 'Cancel task'}
        </button>
      ) : (
        <>
          <ReplayButton key={taskId} taskId={taskId} onError={p.onError} />
          <button type="button" onClick={p.onStartOver}>
            New task
          </button>
        </>
      )}
      <a href={`#/tasks/${taskId}`}>Task {taskId.slice(0, 8)}</a>
    </div>
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
