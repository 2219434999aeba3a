import { type Tasks, tenantOf } from '@switchboard/contracts';
import { createHash } from 'node:crypto';

/**
 * A task's bucket (0-99) for a label's canary: from a hash of its thread (its tenant, user and
 * thread id) when it has one, so every turn of a thread runs the same version; of its task id
 * otherwise. The agent and label are in the hash too, so one thread's buckets of two labels are
 * independent. Deterministic: a redelivery, another replica, a later turn all get the same one.
 */
export function canaryBucket(s: Tasks.TaskSubmission, agent: string, label: string): number {
  const thread = s.request.thread_id;
  const key = thread
    ? `thread:${tenantOf(s.actor)}:${s.actor.userId}:${thread}`
    : `task:${s.taskId}`;
  const digest = createHash('sha256').update(`${agent}/${label}/${key}`, 'utf8').digest();
  return digest.readUInt32BE(0) % 100;
}
