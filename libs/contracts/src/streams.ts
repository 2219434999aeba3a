import { defineStream } from './define.js';

const DAY = 86_400_000;

/**
 * Largest size of each stream when JETSTREAM_MAX_BYTES (or the stream's contract) does not say
 * otherwise (applied when a stream is created): 1 GiB, so the streams together (4 GiB, 256 MiB and 64 MiB) fit
 * the chart's bundled NATS volume (5 Gi) and none can fill a volume. A full stream drops its oldest messages — history its consumers already
 * read — except the task queue, which refuses new submissions rather than lose queued tasks.
 */
export const DEFAULT_STREAM_MAX_BYTES = 1024 ** 3;

/** Durable task submissions; the orchestrator's durable consumer takes each exactly once (work queue). */
export const TaskSubmissionStream = defineStream({
  name: 'SB_TASKS',
  subjects: ['sb.task.submit'],
  retention: 'workqueue',
  maxAgeMs: 7 * DAY,
  // Everything in a work queue is still to do: when full, the gateway answers 503 instead.
  discard: 'new',
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
  discard: 'old',
  duplicateWindowMs: 120_000,
  // The demo task stores 8.4 KiB (`npm run bench -- soak`, 2026-11-24); tasks with more steps more.
  bytesPerTask: 16 * 1024,
  description:
    'Task events (sb.evt.task.<taskId>.<tenantId>.<event>), kept 7 days for replay and resume.',
});

/** The audit trail in transit; the audit service acks a record only after its row is committed. */
export const AuditStream = defineStream({
  name: 'SB_AUDIT',
  subjects: ['sb.audit.>'],
  retention: 'limits',
  maxAgeMs: 30 * DAY,
  discard: 'old',
  duplicateWindowMs: 600_000,
  // The demo task stores 3.5 KiB (`npm run bench -- soak`, 2026-11-24).
  bytesPerTask: 6 * 1024,
  description:
    'Audit records (sb.audit.<category>.<taskId>.<tenantId>, `_` for no task), consumed durably by the audit service.',
});

/**
 * The records relayed to the audit service (AuditAppend), as published once chained: what a late
 * `switchboard tail --task` reads back. No durable consumer: the trail has them already.
 */
export const AuditChainedStream = defineStream({
  name: 'SB_AUDIT_CHAINED',
  subjects: ['sb.evt.audit.>'],
  retention: 'limits',
  maxAgeMs: 7 * DAY,
  discard: 'old',
  duplicateWindowMs: 120_000,
  // Only a late tail's history (a demo task's record is about 0.9 KiB): a fixed, small size, not
  // sized by JETSTREAM_TASKS_PER_DAY, so every stream together still fits the chart's NATS volume.
  maxBytes: 256 * 1024 ** 2,
  description:
    'Audit records relayed to the audit service (sb.evt.audit.<category>.<taskId>.<tenantId>), published once chained, kept 7 days for a late tail.',
});

/** Messages a durable consumer could not process at all (invalid payloads), kept for inspection. */
export const DeadLetterStream = defineStream({
  name: 'SB_DEAD_LETTERS',
  subjects: ['sb.dlq.>'],
  retention: 'limits',
  maxAgeMs: 30 * DAY,
  discard: 'old',
  duplicateWindowMs: 120_000,
  description:
    'Poison messages moved aside by durable consumers (sb.dlq.<stream>), with the reason.',
});

/**
 * Where each delegation stands, written by the a2a replica running it (the agent's task once known, a
 * renewal every few seconds, the outcome): a replica that gets a repeat of a delegation another ran —
 * an orchestrator resuming the task after a crash — reads it here instead of asking the agent again.
 * One message per delegation is kept, for a day.
 */
export const DelegationStateStream = defineStream({
  name: 'SB_DELEGATIONS',
  subjects: ['sb.state.a2a.delegation.>'],
  retention: 'limits',
  maxAgeMs: DAY,
  discard: 'old',
  maxMsgsPerSubject: 1,
  maxBytes: 64 * 1024 ** 2,
  duplicateWindowMs: 120_000,
  description:
    'The latest state of each delegation (sb.state.a2a.delegation.<delegationId>: running with its agent task, or finished with its outcome), kept a day for the a2a replica that gets a repeat of it.',
});

export const ALL_STREAMS = [
  TaskSubmissionStream,
  TaskEventStream,
  AuditStream,
  AuditChainedStream,
  DeadLetterStream,
  DelegationStateStream,
];
