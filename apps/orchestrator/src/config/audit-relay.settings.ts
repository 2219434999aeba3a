import { envInt } from '@switchboard/config';
import { Audit } from '@switchboard/contracts';
import type { z } from 'zod';

/**
 * How the audit records a task's transitions journal (JournalOutbox) reach the audit service
 * (docs/architecture.md, "The audit relay"). Its own file: orchestrator.env.ts is long enough.
 */
export const auditRelaySettings = {
  AUDIT_RELAY_LINGER_MS: envInt(0, 5_000, 200).describe(
    'How long the audit records a commit stored wait for those of the next commits before they are sent to the audit service together (one sb.cmd.audit.append per batch; 0 = at once): the audit trail is written after the fact anyway, and fewer, larger batches cost the audit service and NATS less per record.',
  ),
  AUDIT_RELAY_HOLD_MS: envInt(0, 60_000, 2_000).describe(
    "How long the audit records a task owes before its end (its submission's, its tool calls') may wait for the end's, so that a short task's records go to the audit service in one sb.cmd.audit.append (never shorter than AUDIT_RELAY_LINGER_MS; a longer task's go when it is up). They are in JournalOutbox from their commit on: waiting delays the trail, never loses a record.",
  ),
  AUDIT_RELAY_BATCH: envInt(1, Audit.MAX_AUDIT_APPEND_RECORDS, 200).describe(
    'Most audit records one sb.cmd.audit.append carries (the relay and the sweep).',
  ),
  AUDIT_RELAY_MARK_LINGER_MS: envInt(0, 60_000, 1_000).describe(
    'How long relayed JournalOutbox rows wait to be marked relayed together (one UPDATE for all of them). A replica that dies before marking leaves them to the sweep, which sends them again: the audit service appends nothing twice.',
  ),
  AUDIT_RELAY_SWEEP_MS: envInt(100, 600_000, 5_000).describe(
    'How often each replica relays the audit records still owed past AUDIT_RELAY_SWEEP_AFTER_MS (a replica that died between a commit and its relay, an audit service that was down): rows are taken with FOR UPDATE SKIP LOCKED, so replicas share the work.',
  ),
  AUDIT_RELAY_SWEEP_AFTER_MS: envInt(1_000, 86_400_000, 15_000).describe(
    'How old an unrelayed audit record must be before a sweep takes it: longer than the longer of AUDIT_RELAY_LINGER_MS and AUDIT_RELAY_HOLD_MS, plus AUDIT_RELAY_MARK_LINGER_MS, so the sweep does not send what the replica that committed it is sending.',
  ),
  AUDIT_RELAY_KEEP_MS: envInt(0, 30 * 86_400_000, 3_600_000).describe(
    'How long a relayed audit record stays in JournalOutbox (the sweep deletes older ones); the audit trail keeps it for good.',
  ),
};

/** The relay's settings as validated (read off the table above, so the two cannot disagree). */
export type AuditRelaySettings = {
  readonly [K in keyof typeof auditRelaySettings]: z.output<(typeof auditRelaySettings)[K]>;
};

/** The sweep must not take what the committing replica is still relaying. */
export function auditRelayProblem(env: AuditRelaySettings): string | undefined {
  const waits = Math.max(env.AUDIT_RELAY_LINGER_MS, env.AUDIT_RELAY_HOLD_MS);
  const busy = waits + env.AUDIT_RELAY_MARK_LINGER_MS;
  return env.AUDIT_RELAY_SWEEP_AFTER_MS > busy
    ? undefined
    : `must be longer than the longer of AUDIT_RELAY_LINGER_MS and AUDIT_RELAY_HOLD_MS, plus AUDIT_RELAY_MARK_LINGER_MS (${busy} ms)`;
}
