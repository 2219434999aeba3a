import type { Audit } from '@switchboard/contracts';

/** Who is told of each append before its callers are answered (the task logs: TaskLogEnds). */
export const CHAIN_WATCHER = Symbol('CHAIN_WATCHER');

export interface ChainWatcher {
  /**
   * After an append committed: `offered` is every record it was handed, `chainedNow` those it chained
   * (the others were in the trail already: sent again after a crash, or both ways). Its callers — the
   * relay's command, the SB_AUDIT batch's ack — are answered once this resolves, and fail if it
   * rejects (the records are chained either way: what comes again is skipped by id, and watched again).
   */
  chained(
    offered: readonly Audit.AuditRecord[],
    chainedNow: readonly Audit.AuditRecord[],
  ): Promise<void>;
}
