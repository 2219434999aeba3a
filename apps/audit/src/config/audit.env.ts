import { BaseEnv, databaseUrl, envBoolean, envPort } from '@switchboard/config';
import { z } from 'zod';

export const AuditEnv = BaseEnv.extend({
  PORT: envPort.default(3004).describe('HTTP port of /health, /readiness and /metrics.'),
  DATABASE_URL: databaseUrl
    .default('postgresql://postgres@127.0.0.1:5432/sb_audit')
    .describe("The audit trail's PostgreSQL database (its own: no other service writes it)."),
  AUDIT_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(200)
    .describe('Most records committed in one transaction (batches form under load).'),
  AUDIT_BATCH_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(5_000)
    .default(50)
    .describe(
      'How long a batch of audit records waits for more after its first message (0 = none), and again for the records relayed by sb.cmd.audit.append (the two go in one append). Each audit batch is one transaction on the hash chain: when records trickle in, a short wait cuts the CPU per record several times, at the cost of up to twice this much delay before a record is queryable.',
    ),
  AUDIT_ACK_WAIT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(30_000)
    .describe(
      'How long a delivered batch may stay unacknowledged before JetStream redelivers it (after a crash).',
    ),
  AUDIT_MAX_DELIVER: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe(
      'Delivery attempts before a record that cannot be stored is parked in the dead-letter stream.',
    ),
  TASK_LOGS_ENABLED: z
    .string()
    .default('true')
    .pipe(envBoolean)
    .describe(
      "Write the per-task hierarchical logs (logs/{ISO-timestamp}_{hash}/...) at each task's end, from its live events (the orchestrator's journal for any missed).",
    ),
  TASK_LOG_DIR: z
    .string()
    .min(1)
    .default('logs')
    .describe('Directory of the per-task logs (relative to the working directory, or absolute).'),
  TASK_LOG_LINGER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(1_000)
    .describe(
      "How long a task's log waits, once its end record is chained, for the task's last live events (its terminal event is published once the task's slot is free, and may trail the record) before it reads the missing ones from the orchestrator's journal instead (0 = read them at once). Only a task with live events held waits; the append that chained the record is answered after the log is written.",
    ),
  TASK_LOG_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(36_500)
    .default(30)
    .describe(
      'Task log folders older than this many days are deleted (checked hourly); 0 keeps them forever.',
    ),
});
export type AuditEnv = z.infer<typeof AuditEnv>;
