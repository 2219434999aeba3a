import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type { ReplayBatchRequest, ReplayBatchSummary, ReplayBatchView } from '../wire.js';

/** Replay batches (docs/replay.md): many recorded tasks run again under a change, each compared. */
export class ReplaysApi {
  constructor(private readonly transport: Transport) {}

  /** Starts a batch (`taskIds` or `filter`, `changes`, `concurrency`, `budget`); 202 with the batch. */
  create(request: ReplayBatchRequest, options: CallOptions = {}): Promise<ReplayBatchView> {
    return this.transport.send('POST', 'replays', options, { body: request });
  }

  /** A batch: each task against its original, and the totals. */
  get(batchId: string, options: CallOptions = {}): Promise<ReplayBatchView> {
    return this.transport.send('GET', pathOf`replays/${batchId}`, options);
  }

  /** The caller's batches (an admin's: the tenant's), newest first. */
  list(
    query: { limit?: number } = {},
    options: CallOptions = {},
  ): Promise<{ batches: ReplayBatchSummary[] }> {
    return this.transport.send('GET', 'replays', options, { query: { ...query } });
  }
}
