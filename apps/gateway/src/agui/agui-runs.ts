import type { BaseEvent, RunAgentInput } from '@ag-ui/core';
import { type Actor, Approvals, isDomainError, Tasks, tenantOf } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { SseStreams } from '../http/sse-streams.js';
import type { SseWriter } from '../http/sse.writer.js';
import type { TaskSession } from '../tasks/session/task-session.js';
import type { TaskSessions } from '../tasks/session/task-sessions.js';
import type { ApprovalAnswer } from './agui-interrupts.js';
import { AgUiRunFormat, AgUiRunTranslator } from './agui-run.format.js';

/** What a run needs of the gateway (injected by the controller). */
export interface AgUiRunDeps {
  bus: NatsBus;
  sessions: TaskSessions;
  streams: SseStreams;
  logger: Logger;
  audit: AuditTrail;
}

/** Tasks of a thread that may hold the interrupts a resume answers. */
const WAITING: Tasks.TaskStatus[] = ['running', 'waiting_approval'];
/** Where an approval stands once nobody can decide it any more. */
const DECIDED: Approvals.ApprovalStatus[] = ['approved', 'rejected', 'expired', 'cancelled'];

/**
 * AG-UI 1.0 runs of platform tasks (docs/api.md, AG-UI; docs/approvals.md). A run streams its task's
 * events as AG-UI events until the task ends — or until it stops for approvals: then the run ends with
 * RUN_FINISHED `outcome: interrupt`, one interrupt per pending approval (the orchestrator stores them
 * before it says so, so one look finds them all). A run with `resume` decides those approvals through
 * the orchestrator and streams what the task does next, as a new run on the same thread.
 */
export class AgUiRuns {
  constructor(private readonly deps: AgUiRunDeps) {}

  /** Submits the task and streams it as this run, from its first event. */
  async start(
    reply: FastifyReply,
    actor: Actor,
    input: RunAgentInput,
    task: Tasks.TaskRequest,
    requestId: string,
  ): Promise<void> {
    const { sessions } = this.deps;
    const taskId = sessions.newTaskId();
    const format = new AgUiRunFormat(new AgUiRunTranslator(input.threadId, input.runId, taskId));
    const session = await sessions.start(actor, { taskId, slot: format.kind });
    await session.submit(task, requestId);
    await this.stream(reply, session, format, requestId, async () => true);
  }

  /**
   * Answers the interrupts of the thread's waiting task: each answer is decided by the orchestrator
   * (a refusal ends the run with RUN_ERROR and its code), then the task's next events are this run —
   * to its end, or to the next interrupt (also when answers were missing for some approvals).
   */
  async resume(
    reply: FastifyReply,
    actor: Actor,
    input: RunAgentInput,
    threadId: string,
    answers: ApprovalAnswer[],
    requestId: string,
  ): Promise<void> {
    const answered = new Set(answers.map((a) => a.approvalId));
    const taskId = await this.taskOf(actor, threadId, answered);
    if (!taskId) return this.notWaiting(reply, actor, input, answered, requestId);
    const format = new AgUiRunFormat(
      new AgUiRunTranslator(input.threadId, input.runId, taskId, randomUUID, {
        approvalIds: answered,
      }),
    );
    // Followed before deciding: the task resumes on the last decision, and no event may be missed.
    const session = await this.deps.sessions.resume(actor, taskId, {
      slot: format.kind,
      answered,
    });
    await this.stream(reply, session, format, requestId, (sse) =>
      this.decide(sse, session, answers, format),
    );
  }

  /** A resume that answers nothing waiting: CONFLICT when decided already, else NOT_FOUND. */
  private async notWaiting(
    reply: FastifyReply,
    actor: Actor,
    input: RunAgentInput,
    answered: ReadonlySet<string>,
    requestId: string,
  ): Promise<void> {
    const format = new AgUiRunFormat(
      new AgUiRunTranslator(input.threadId, input.runId, randomUUID()),
    );
    const decided = await this.decidedAlready(actor, answered);
    if (decided)
      return this.refuse(
        reply,
        format,
        'CONFLICT',
        `approval ${decided.approvalId} is ${decided.status} already${decided.decidedBy ? ` (by ${decided.decidedBy})` : ''}`,
        requestId,
      );
    const missing = [...answered].join(', ');
    // Not the actor's to answer (another's, another tenant's, or none at all): answered as unknown,
    // and the attempt audited in the actor's tenant.
    void this.deps.audit.record({
      category: 'approval',
      action: 'approval.resume',
      outcome: 'denied',
      resource: missing.slice(0, 500),
      actor: { userId: actor.userId, role: actor.role },
      tenantId: tenantOf(actor),
      details: { threadId: input.threadId, reason: 'not_waiting' },
    });
    return this.refuse(
      reply,
      format,
      'NOT_FOUND',
      `no approval ${missing} waits on thread ${input.threadId} (expired, or not yours)`,
      requestId,
    );
  }

  /**
   * Writes the run: its opening, what `before` writes (false: it has ended the run), then the
   * session's events until the run ends — at the task's end, or at an interrupt.
   */
  private async stream(
    reply: FastifyReply,
    session: TaskSession,
    format: AgUiRunFormat,
    requestId: string,
    before: (sse: SseWriter) => Promise<boolean>,
  ): Promise<void> {
    const { taskId } = session;
    const sse = this.openSse(reply, taskId, requestId);
    sse.onClose(() => session.leave());
    const translator = format.translator;
    const write = (events: readonly BaseEvent[]) => {
      for (const frame of format.encode(events)) sse.frame(frame);
    };
    try {
      write(translator.start());
      if (!(await before(sse))) return;
      const outcome = await session.outcome({
        // The orchestrator stores every call it holds before it says so: one look finds them all.
        pause: 'pending',
        onEvent: (event) => {
          for (const frame of format.frames(event)) sse.frame(frame);
        },
        onPauseLifted: () => write(translator.interrupt([])),
      });
      if (outcome.kind === 'waiting')
        write(translator.interrupt(outcome.pending ?? translator.askedCalls));
    } catch (e) {
      this.deps.logger.warn({ err: e, taskId }, 'AG-UI run failed');
    } finally {
      // The run ends once its slot is free: the client may start the next run the moment it has.
      await session.finish();
      this.deps.streams.end(sse);
    }
  }

  /** Decides the answers in order; false (the run ended) when one is refused or some still wait. */
  private async decide(
    sse: SseWriter,
    session: TaskSession,
    answers: ApprovalAnswer[],
    format: AgUiRunFormat,
  ): Promise<boolean> {
    const write = (events: readonly BaseEvent[]) => {
      for (const frame of format.encode(events)) sse.frame(frame);
    };
    for (const answer of answers) {
      try {
        await session.decide(answer);
      } catch (e) {
        if (!isDomainError(e))
          this.deps.logger.warn({ err: e, taskId: session.taskId }, 'AG-UI decision failed');
        write(
          isDomainError(e)
            ? format.translator.error(e.code, e.message)
            : format.translator.error('INTERNAL', 'the decision could not be sent'),
        );
        return false;
      }
    }
    // Approvals this run did not answer: the task still waits for them, and the run says so.
    const left = (await session.pendingApprovals()) ?? [];
    if (left.length === 0) return true;
    write(format.translator.interrupt(left, { show: false }));
    return false;
  }

  /** A run that cannot start: RUN_STARTED, then RUN_ERROR with the code. */
  private refuse(
    reply: FastifyReply,
    format: AgUiRunFormat,
    code: string,
    message: string,
    requestId: string,
  ): void {
    const sse = this.openSse(reply, undefined, requestId);
    for (const frame of format.encode([
      ...format.translator.start().slice(0, 1),
      ...format.translator.error(code, message),
    ]))
      sse.frame(frame);
    this.deps.streams.end(sse);
  }

  private openSse(reply: FastifyReply, taskId: string | undefined, requestId: string): SseWriter {
    return this.deps.streams.open(
      reply,
      { ...(taskId ? { 'x-task-id': taskId } : {}), 'x-request-id': requestId },
      { taskId, kind: 'ag-ui', dropped: 'AG-UI run' },
    );
  }

  /**
   * One of the answered approvals that the actor may see and that was decided already (a second
   * decision, here or on another surface): the run says CONFLICT, as POST /tasks/{id}/approvals does.
   */
  private async decidedAlready(
    actor: Actor,
    answered: ReadonlySet<string>,
  ): Promise<Approvals.ApprovalView | undefined> {
    for (const status of DECIDED) {
      const { approvals } = await this.deps.bus.request(
        Approvals.ApprovalList,
        { status, limit: 200 },
        { actor },
      );
      const found = approvals.find((a) => answered.has(a.approvalId));
      if (found) return found;
    }
    return undefined;
  }

  /** The actor's task on the thread that waits for (one of) the answered approvals. */
  private async taskOf(
    actor: Actor,
    threadId: string,
    answered: ReadonlySet<string>,
  ): Promise<string | undefined> {
    const { bus, sessions } = this.deps;
    const { tasks } = await bus.request(Tasks.TaskList, { status: WAITING, limit: 200 }, { actor });
    for (const task of tasks.filter((t) => t.threadId === threadId)) {
      const pending = (await sessions.pendingApprovals(actor, task.taskId)) ?? [];
      if (pending.some((a) => answered.has(a.approvalId))) return task.taskId;
    }
    return undefined;
  }
}
