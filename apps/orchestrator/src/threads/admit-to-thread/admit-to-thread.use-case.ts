import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { TaskCanceller } from '../../tasks/index.js';
import { type AdmissionMode, ThreadGateRepository } from '../thread-gate.repository.js';
import { threadKeyOf } from '../thread-key.js';

type Request = Tasks.ThreadAdmitRequest;
type Response = Tasks.ThreadAdmitResponse;

const MODES: Record<Tasks.ThreadPolicy, AdmissionMode> = {
  reject: 'refuse',
  enqueue: 'after',
  interrupt: 'before',
  rollback: 'before-discarding',
};

/**
 * Decides what a message to a thread does (docs/api.md, "Threads"), before its task is submitted: the
 * decision is taken under the thread's row lock (ThreadGateRepository), so it holds with any number of
 * gateways and orchestrator replicas. A busy thread answers by the policy — the request's, else
 * THREAD_POLICY_DEFAULT: reject is a CONFLICT naming the running task; enqueue waits after the
 * waiters; interrupt and rollback wait first in line and cancel the running task (through the one
 * cancellation path, at its next safe point), whose end hands them the thread.
 */
@Injectable()
export class AdmitToThreadUseCase {
  constructor(
    private readonly gate: ThreadGateRepository,
    private readonly canceller: TaskCanceller,
    @Inject(APP_CONFIG)
    private readonly config: Pick<
      OrchestratorEnv,
      'THREAD_POLICY_DEFAULT' | 'THREAD_ADMISSION_STALE_MS'
    >,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(req: Request, actor: Actor): Promise<Response> {
    const policy = req.policy ?? this.config.THREAD_POLICY_DEFAULT;
    const admission = await this.gate.admit(
      threadKeyOf(actor, req.threadId),
      req.taskId,
      MODES[policy],
      this.config.THREAD_ADMISSION_STALE_MS,
    );
    if (admission.decision === 'run') return { taskId: req.taskId, decision: 'run', policy };
    const running = admission.runningTaskId;
    if (admission.decision === 'busy')
      throw new DomainError(
        'CONFLICT',
        `thread ${req.threadId} is busy with task ${running} (thread_policy: reject)`,
        { details: { running_task_id: running, thread_id: req.threadId, thread_policy: policy } },
      );
    if (admission.displaced) {
      // Asked again (a retried request) it is cancelled again: idempotent, nothing changes.
      const reason = `${policy === 'rollback' ? 'rolled back' : 'interrupted'} by task ${req.taskId} on its thread`;
      await this.canceller.cancelOwn(running, actor, reason);
      this.logger.info({ taskId: req.taskId, running, policy }, 'thread: running task cancelled');
    }
    return { taskId: req.taskId, decision: 'queued', policy, runningTaskId: running };
  }
}
