import { z } from 'zod';
import { defineCommand } from '../define.js';
import { ReplayBatchBody, ReplayBatchSummary, ReplayBatchView } from './replay.schemas.js';

export const ReplayBatchStart = defineCommand({
  subject: 'sb.cmd.orchestrator.replays.start',
  service: 'orchestrator',
  callers: ['gateway'],
  request: ReplayBatchBody,
  response: ReplayBatchView,
  timeoutMs: 10_000,
  description:
    "Starts a replay batch (docs/replay.md): the caller's ended tasks (an admin's: its tenant's) by id or filter, run again with the changes, at most `concurrency` at a time, within the budget; answers the batch as started.",
});

export const ReplayBatchGet = defineCommand({
  subject: 'sb.cmd.orchestrator.replays.get',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ batchId: z.string().uuid() }).strict(),
  response: ReplayBatchView,
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "One replay batch with each task's outcome against its original and the totals. Its creator's, or (admins) its tenant's; another tenant's is NOT_FOUND.",
});

export const ReplayBatchList = defineCommand({
  subject: 'sb.cmd.orchestrator.replays.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict(),
  response: z.object({ batches: z.array(ReplayBatchSummary) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description:
    "The caller's replay batches (an admin's: its tenant's), newest first, with their totals.",
});
