import { type Actor, tenantOf } from '@switchboard/contracts';
import type { ThreadKey } from './thread.repository.js';

/** The thread a user's task names: theirs, in their tenant. */
export function threadKeyOf(
  actor: Pick<Actor, 'userId' | 'tenantId'> | undefined,
  threadId: string,
): ThreadKey {
  return { tenantId: tenantOf(actor), userId: actor?.userId ?? '', threadId };
}
