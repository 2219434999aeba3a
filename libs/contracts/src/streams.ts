import { defineStream } from './define.js';

const DAY = 86_400_000;

/** Durable task submissions; the orchestrator's durable consumer takes each exactly once (work queue). */
export const TaskSubmissionStream = defineStream({
  name: 'SB_TASKS',
  subjects: ['sb.task.submit'],
  retention: 'workqueue',
  maxAgeMs: 7 * DAY,
  duplicateWindowMs: 120_000,
  description:
    'Task submissions from the gateway, consumed by the orchestrator (one replica per task).',
});

/** Every task's progress, with a per-task sequence number; replayable for resumable streams. */
export const TaskEventStream = defineStream({
  name: 'SB_TASK_EVENTS',
  subjects: ['sb.evt.task.>'],
  retention: 'limits',
  maxAgeMs: 7 * DAY,
  duplicateWindowMs: 120_000,
  description: 'Task events (sb.evt.task.<taskId>.<event>), kept 7 days for replay and resume.',
});

/** The audit trail in transit; the audit service acks a record only after its row is committed. */
export const AuditStream = defineStream({
  name: 'SB_AUDIT',
  subjects: ['sb.audit.>'],
  retention: 'limits',
  maxAgeMs: 30 * DAY,
  duplicateWindowMs: 600_000,
  description: 'Audit records (sb.audit.<category>), consumed durably by the audit service.',
});

/** Messages a durable consumer could not process at all (invalid payloads), kept for inspection. */
export const DeadLetterStream = defineStream({
  name: 'SB_DEAD_LETTERS',
  subjects: ['sb.dlq.>'],
  retention: 'limits',
  maxAgeMs: 30 * DAY,
  duplicateWindowMs: 120_000,
  description:
    'Poison messages moved aside by durable consumers (sb.dlq.<stream>), with the reason.',
});

export const ALL_STREAMS = [TaskSubmissionStream, TaskEventStream, AuditStream, DeadLetterStream];
