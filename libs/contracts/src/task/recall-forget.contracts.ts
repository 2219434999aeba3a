import { z } from 'zod';
import { defineCommand } from '../define.js';
import { TenantId, UserId } from '../identity.schemas.js';

/**
 * What a forget in long-term memory (docs/memory.md) asks of the run records: the items deleted from
 * the store, by id; everything of one user (their namespace and the thread items they wrote — the
 * same rule mcp-tools forgets by); or everything of one tenant (its memory removed with it). Exactly
 * one of the three.
 */
export const ForgetRecalledRequest = z
  .object({
    ids: z.array(z.string().uuid()).min(1).max(1_000).optional(),
    userId: UserId.optional(),
    tenantId: TenantId.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const given = [r.ids, r.userId, r.tenantId].filter((v) => v !== undefined).length;
    if (given !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['ids'],
        message: 'give exactly one of ids, userId and tenantId',
      });
  });
export type ForgetRecalledRequest = z.infer<typeof ForgetRecalledRequest>;

export const ForgetRecalledResponse = z.object({
  /** Recorded recalls (an item in a task's run record) emptied and marked forgotten. */
  forgotten: z.number().int().min(0),
  /** Planning rounds whose record changed. */
  rounds: z.number().int().min(0),
  /** Read back after the change: no run record of the tenant holds any of it. */
  verified: z.boolean(),
});
export type ForgetRecalledResponse = z.infer<typeof ForgetRecalledResponse>;

export const ForgetRecalled = defineCommand({
  subject: 'sb.cmd.orchestrator.memory.forget-recalled',
  callers: ['gateway', 'admin'],
  request: ForgetRecalledRequest,
  response: ForgetRecalledResponse,
  timeoutMs: 30_000,
  idempotency: 'idempotent',
  description:
    "Forgetting reaches run records (docs/memory.md): what tasks of the caller's tenant recalled of the forgotten items is emptied and marked forgotten — the recorded recall and the LLM request that quoted it — and read back. By id: the items the caller could write (their own, a thread of theirs, or any as an admin); by user: the user themself or an admin; a whole tenant: the platform operator, or an admin of that tenant.",
});
