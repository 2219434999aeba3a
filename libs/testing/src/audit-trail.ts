import { jetstreamManager } from '@nats-io/jetstream';
import { AuditStream } from '@switchboard/contracts';
import { connectAs } from './secured-nats.js';
import type { Stack } from './stack.js';

/**
 * Whether the audit service has stored every record published to SB_AUDIT so far (its durable has
 * nothing pending or unacknowledged), read as the audit service's identity (the one that may read
 * its durable). A task's records reach the trail two ways
 * — SB_AUDIT from the services that publish them, a relay from the orchestrator's journal — in no set
 * order between the two: a test that waits for the task's own end record and then counts the others
 * waits for this too.
 */
export async function auditStreamDrained(stack: Pick<Stack, 'natsSettings'>): Promise<boolean> {
  const nc = await connectAs({ identity: 'audit', nats: stack.natsSettings('audit') });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const info = await jsm.consumers.info(AuditStream.name, 'audit');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  } finally {
    await nc.close();
  }
}
