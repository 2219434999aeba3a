import { Xmpp } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { CHAOS_SETTINGS, type ChaosStack } from './chaos-stack.js';
import type { Fault, FaultContext } from './fault.js';
import type { ChaosLlm } from './llm-server.js';
import { LoadDriver, type Submission } from './load.js';
import { requestSeen } from './traffic.js';
import { isTerminal, type Truth } from './truth.js';
import { judge, type TaskRecord, type Verdict } from './verdict.js';

/** Timings of a phase. */
export const PHASE = {
  /** One task every this often, each from its own user. */
  loadIntervalMs: 250,
  /**
   * Load keeps coming at least this long after the fault ended: tasks submitted "just after" it (20 at
   * one every 250 ms); the wait for a demo task and a delegation served again follows.
   */
  afterMs: 5_000,
  /**
   * ... and until a demo task and a delegation submitted after the end have completed (the platform
   * serves both again), for at most this long: the next fault starts from a platform that recovered.
   */
  recoverTimeoutMs: 60_000,
  /** Longest wait for the load to have work in flight before the fault strikes anyway. */
  inFlightTimeoutMs: 20_000,
  /** A fault waiting for tasks in flight waits this long for two at once, then strikes at one. */
  oneInFlightAfterMs: 3_000,
  /** A task may end this long after its budget ran out (the orchestrator's redelivery, clocks). */
  slackMs: CHAOS_SETTINGS.TASK_ACK_WAIT_MS + 10_000,
  /** Longest wait for every service to answer /readiness 200 again. */
  readyTimeoutMs: 60_000,
  /** Longest wait for the audit records of ended tasks to be stored. */
  auditTimeoutMs: 30_000,
} as const;

export interface PhaseResult {
  fault: Fault;
  verdict: Verdict;
  /** Accepted tasks running when the fault struck (undefined: the fault did not wait for work). */
  inFlight?: number;
  notes: string[];
  durationMs: number;
}

export interface PhaseDeps {
  stack: ChaosStack;
  truth: Truth;
  llm(): Promise<ChaosLlm>;
  log(line: string): void;
  /** Tools without side effects: a re-run after a crash is not a duplicate. */
  idempotentTools: ReadonlySet<string>;
}

/**
 * One fault under load: the load starts, the fault strikes once work is in flight, lasts, ends; the
 * load goes on a little longer, then every accepted task is followed to its end (or past its budget)
 * and compared with what really happened.
 */
export async function runPhase(fault: Fault, deps: PhaseDeps): Promise<PhaseResult> {
  const started = Date.now();
  const { stack, truth } = deps;
  const users = `chaos-${fault.id}-${randomBytes(3).toString('hex')}`;
  const load = new LoadDriver(() => stack.gatewayUrl, {
    users,
    intervalMs: PHASE.loadIntervalMs,
  });
  const logOffsets = new Map(stack.replicas().map((r) => [r.label, r.handle.logs().length]));
  let inFlight: number | undefined;
  let slowedNotes = false;
  const ctx: FaultContext = {
    stack,
    llm: deps.llm,
    findings: [],
    notes: [],
    inFlight: async (what) => {
      // A note being stored is a window of milliseconds: the tools database is made slow to store
      // notes while this phase lasts, so that the fault can strike in it.
      if (what === 'tool' && !slowedNotes) {
        slowedNotes = true;
        await truth.slowNoteWrites(true);
      }
      inFlight = await waitInFlight(stack, truth, load, what, ctx.notes);
      return inFlight;
    },
    deadLetterLines: (subject) => deadLetterLines(stack, subject, logOffsets),
  };
  await fault.setup?.(ctx);
  const agentRunsBefore = await truth.agentRuns();
  load.start();
  const { endedAt, outage } = await fault.strike(ctx);
  deps.log(`  ${fault.label}: over after ${((endedAt - started) / 1000).toFixed(1)} s of load`);
  const readyAt = watchReadiness(truth, endedAt);
  await hold(PHASE.afterMs);
  await waitFor(() => servesAgain(truth, load.accepted, endedAt), {
    timeoutMs: PHASE.recoverTimeoutMs,
    intervalMs: 250,
    what: 'a demo task and a delegation completed after the fault',
  }).catch(() => undefined);
  await load.stop();
  deps.log(`  ${load.accepted.length} tasks accepted; following each to its end`);
  const budgetEnd = (s: Submission) =>
    Math.max(s.sentAt, endedAt) + CHAOS_SETTINGS.TASK_TIMEOUT_MS + PHASE.slackMs;
  await settle(truth, load.accepted, budgetEnd);
  const ready = await readyAt;
  const records = await collect(truth, load.accepted, budgetEnd);
  const chain = await truth.chain();
  const notReady = await truth.notReady();
  ctx.notes.push(...(await phantoms(truth, load.submissions)));
  const agentRuns = (await truth.agentRuns()) - agentRunsBefore;
  const delegations = load.accepted.filter((s) => s.kind !== 'demo').length;
  if (agentRuns > delegations)
    ctx.notes.push(`the agents ran ${agentRuns} tasks for ${delegations} delegation tasks`);
  const verdict = judge({
    refusals: fault.refusals,
    submissions: load.submissions,
    tasks: records,
    now: Date.now(),
    chain,
    notReady,
    recoveredMs: outage ? recovery(records, load.accepted, endedAt, ready) : undefined,
    findings: ctx.findings,
    idempotentTools: deps.idempotentTools,
  });
  if (verdict.reruns)
    ctx.notes.push(`${verdict.reruns} steps of idempotent tools ran again after the fault`);
  await fault.teardown?.(ctx);
  if (slowedNotes) await truth.slowNoteWrites(false);
  return { fault, verdict, inFlight, notes: ctx.notes, durationMs: Date.now() - started };
}

const hold = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (bounded) until the load has work in flight where the fault will strike: tasks running; a
 * note being stored (the statement that stores a notes.add call's idempotency record and its note:
 * the window in which a crash loses the reply of a call that may have taken effect, widened by the
 * phase's slow note writes); a delegation streaming across XMPP. Returns how many accepted tasks are running then.
 */
async function waitInFlight(
  stack: ChaosStack,
  truth: Truth,
  load: LoadDriver,
  what: 'task' | 'tool' | 'agent',
  notes: string[],
): Promise<number> {
  const running = () =>
    truth.runningTasks(load.accepted.flatMap((s) => (s.taskId ? [s.taskId] : [])));
  if (what === 'agent') {
    const subject = Xmpp.HttpStream.subject;
    if (!(await requestSeen(stack.nats.url, subject, PHASE.inFlightTimeoutMs)))
      notes.push(`no ${subject} request was in flight when the fault struck`);
    return running();
  }
  if (what === 'task') {
    // The count that let the fault strike, not a second reading (these tasks end within a second).
    // Two tasks when the load has them at once; on the cell, whose tasks end within a moment, two
    // rarely overlap, and one does after `oneInFlightAfterMs`.
    const since = Date.now();
    const atStrike = await waitFor(
      async () => {
        const n = await running();
        const enough = Date.now() - since < PHASE.oneInFlightAfterMs ? 2 : 1;
        return n >= enough ? n : undefined;
      },
      { timeoutMs: PHASE.inFlightTimeoutMs, intervalMs: 20, what: 'tasks in flight' },
    ).catch(() => {
      notes.push('no task was running when the fault struck');
      return undefined;
    });
    return atStrike ?? running();
  }
  await waitFor(() => truth.noteWriteRunning(), {
    timeoutMs: PHASE.inFlightTimeoutMs,
    intervalMs: 5,
    what: 'a note being stored',
  }).catch(() => notes.push('no note was being stored when the fault struck'));
  return running();
}

/** The first moment after `from` at which every service answers /readiness 200. */
async function watchReadiness(truth: Truth, from: number): Promise<number | undefined> {
  return waitFor(async () => ((await truth.notReady()).length === 0 ? Date.now() : undefined), {
    timeoutMs: PHASE.readyTimeoutMs + PHASE.afterMs,
    intervalMs: 100,
    what: 'every service ready',
  }).then(
    (t) => Math.max(t, from),
    () => undefined,
  );
}

/** Waits until every accepted task has ended, or the last of their budgets has run out. */
async function settle(
  truth: Truth,
  accepted: Submission[],
  budgetEnd: (s: Submission) => number,
): Promise<void> {
  const ids = accepted.flatMap((s) => (s.taskId ? [s.taskId] : []));
  const last = Math.max(Date.now(), ...accepted.map(budgetEnd));
  await waitFor(
    async () => {
      const stored = await truth.storedTasks(ids);
      return ids.every((id) => isTerminal(stored.get(id)?.status));
    },
    { timeoutMs: last - Date.now(), intervalMs: 500, what: 'every accepted task ended' },
  ).catch(() => undefined);
}

/** Each accepted task as its owner sees it, with its notes and audit rows (once these are stored). */
async function collect(
  truth: Truth,
  accepted: Submission[],
  budgetEnd: (s: Submission) => number,
): Promise<TaskRecord[]> {
  const ids = accepted.flatMap((s) => (s.taskId ? [s.taskId] : []));
  const stored = await truth.storedTasks(ids);
  const views = await Promise.all(
    accepted.map((s) => truth.taskView(s.taskId ?? '', s.user).then((v) => [s, v] as const)),
  );
  const records: TaskRecord[] = views.map(([s, view]) => {
    const db = stored.get(s.taskId ?? '');
    const status = view?.status ?? db?.status ?? 'queued';
    const apiProblem = !view
      ? 'GET /tasks/{id} did not answer for its owner'
      : db && db.status !== view.status
        ? `GET /tasks/{id} says ${view.status}, the store ${db.status}`
        : undefined;
    return {
      taskId: s.taskId ?? '',
      user: s.user,
      kind: s.kind,
      expectedNote: s.expectedNote,
      deadline: budgetEnd(s),
      status,
      ...(db?.finishedAt ? { finishedAt: db.finishedAt } : {}),
      ...(view?.error ? { error: { code: view.error.code, message: view.error.message } } : {}),
      completedSteps: (view?.steps ?? [])
        .filter((st) => st.status === 'completed')
        .map((st) => ({ kind: st.kind, target: st.target })),
      notes: [],
      audit: [],
      ...(apiProblem ? { apiProblem } : {}),
    };
  });
  await attachSideEffects(truth, records);
  return records;
}

/** Notes by user; audit rows by task, waiting (bounded) for the records of ended tasks to arrive. */
async function attachSideEffects(truth: Truth, records: TaskRecord[]): Promise<void> {
  const notes = await truth.notes(records.map((r) => r.user));
  for (const r of records) r.notes = notes.get(r.user) ?? [];
  const ended = records.filter((r) => isTerminal(r.status));
  const complete = (rows: { taskId: string; action: string }[]) =>
    ended.every((r) => {
      const mine = rows.filter((a) => a.taskId === r.taskId);
      const needed = 2 + r.completedSteps.length; // submission, end, one per completed step
      return mine.length >= needed && mine.some((a) => a.action === `task.${r.status}`);
    });
  const rows = await waitFor(
    async () => {
      const got = await truth.auditRows(records.map((r) => r.taskId));
      return complete(got) ? got : undefined;
    },
    { timeoutMs: PHASE.auditTimeoutMs, intervalMs: 500, what: 'audit records stored' },
  ).catch(() => truth.auditRows(records.map((r) => r.taskId)));
  for (const r of records) r.audit = rows.filter((a) => a.taskId === r.taskId);
}

/** Whether a demo task and a delegation, both submitted after the fault ended, have completed. */
async function servesAgain(
  truth: Truth,
  accepted: Submission[],
  endedAt: number,
): Promise<boolean> {
  const after = accepted.filter((s) => s.sentAt >= endedAt && s.taskId);
  const stored = await truth.storedTasks(after.map((s) => s.taskId ?? ''));
  const done = (demo: boolean) =>
    after.some(
      (s) => (s.kind === 'demo') === demo && stored.get(s.taskId ?? '')?.status === 'completed',
    );
  return done(true) && done(false);
}

/**
 * From the fault's end until every service was ready and a demo task and a delegation submitted after
 * the end had both completed: when a user could use all of it again.
 */
function recovery(
  records: TaskRecord[],
  accepted: Submission[],
  endedAt: number,
  readyAt: number | undefined,
): number | null {
  const after = new Set(accepted.filter((s) => s.sentAt >= endedAt).map((s) => s.taskId));
  const firstDone = (demo: boolean) =>
    Math.min(
      ...records.flatMap((r) =>
        after.has(r.taskId) &&
        (r.kind === 'demo') === demo &&
        r.status === 'completed' &&
        r.finishedAt
          ? [r.finishedAt]
          : [],
      ),
    );
  const served = Math.max(firstDone(true), firstDone(false));
  if (!Number.isFinite(served) || readyAt === undefined) return null;
  return Math.max(served, readyAt) - endedAt;
}

/** Tasks that run although their submitter was told nothing (the answer was lost): worth knowing. */
async function phantoms(truth: Truth, submissions: Submission[]): Promise<string[]> {
  const away = submissions.filter((s) => s.outcome !== 'accepted').map((s) => s.user);
  if (!away.length) return [];
  const found = await truth.tasksOfUsers(away);
  return found.length
    ? [`${found.length} tasks were created for submissions that got no 202 (the answer was lost)`]
    : [];
}

/** "message dead-lettered" lines about `subject` written since the phase began, in every service log. */
function deadLetterLines(stack: ChaosStack, subject: string, offsets: Map<string, number>): number {
  let n = 0;
  // A cell's services are views of one process: its log is read once.
  const logs = new Set<string>();
  for (const { label, handle } of stack.replicas()) {
    if (logs.has(handle.logFile)) continue;
    logs.add(handle.logFile);
    const text = handle.logs().slice(offsets.get(label) ?? 0);
    for (const line of text.split('\n'))
      if (line.includes('"message dead-lettered"') && line.includes(`"subject":"${subject}"`)) n++;
  }
  return n;
}
