import type { Audit, Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';

/** Who writes a submission's record: the gateway, or the orchestrator's own submitters (schedules). */
const SUBMITTERS: ReadonlySet<string> = new Set(['gateway', 'orchestrator']);

/**
 * The audit record a submission carries (`request`, written by its submitter: docs/architecture.md,
 * "The audit relay"), if it is this task's own; the claim journals it in its statement, and a
 * submission that never gets a claim (dead-lettered first) with its end. A record of another task,
 * of another kind or from another source is not journaled on the submission's behalf — the task
 * still runs, since the submission itself is valid — and is logged. An older gateway's submission has
 * none (it published the record itself).
 */
export function submissionRecord(
  s: Pick<Tasks.TaskSubmission, 'taskId'> & { audit?: Audit.AuditRecordInput | undefined },
  logger?: Pick<Logger, 'warn'>,
): Audit.AuditRecordInput | undefined {
  const record = s.audit;
  if (!record) return undefined;
  if (record.taskId === s.taskId && record.category === 'request' && SUBMITTERS.has(record.source))
    return record;
  logger?.warn(
    {
      taskId: s.taskId,
      auditId: record.id,
      recordTaskId: record.taskId,
      category: record.category,
      source: record.source,
    },
    'a submission carries an audit record that is not its own; it is not journaled',
  );
  return undefined;
}
