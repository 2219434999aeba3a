// A task's pending approvals, read as its user: what a session asks before it decides one, and what
// the AG-UI and A2A edges ask of a task they hold no session for.
import { type Actor, Approvals } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';

/** A task's pending approvals as `actor` sees them; undefined when they cannot be read now. */
export async function pendingApprovals(
  deps: { bus: Pick<NatsBus, 'request'>; logger: Pick<Logger, 'warn'> },
  taskId: string,
  actor: Actor,
): Promise<Approvals.ApprovalView[] | undefined> {
  try {
    return await listPending(deps, taskId, actor);
  } catch (e) {
    deps.logger.warn({ err: e, taskId }, 'could not read the pending approvals');
    return undefined;
  }
}

export async function listPending(
  deps: { bus: Pick<NatsBus, 'request'> },
  taskId: string,
  actor: Actor,
): Promise<Approvals.ApprovalView[]> {
  const { approvals } = await deps.bus.request(
    Approvals.ApprovalList,
    { status: 'pending', taskId, limit: 200 },
    { actor },
  );
  return approvals;
}
