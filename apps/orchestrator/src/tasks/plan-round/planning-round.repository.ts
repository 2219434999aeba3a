import { Injectable } from '@nestjs/common';
import { Approvals, DomainError, ErrorBody, Tasks, Tools } from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { z } from 'zod';
import type { PastRound, PlanDecision } from '../../planning/planner.js';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { withClause } from '../journal/task-journal.repository.js';
import { journaledOf } from '../state/task-claim.store.js';
import type { JournalBatch } from '../task-event.stream.js';
import type { TaskRef } from '../../tenancy/tenant-scope.js';

/** How a decision is stored (the DomainError of a `fail` as its body; no generated text). */
const StoredDecision = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('actions'),
    actions: z.array(Tasks.PlanAction),
    groups: z.array(z.string()).optional(),
    rejected: z.array(z.object({ tool: z.string(), reason: z.string() })).optional(),
  }),
  z.object({ kind: z.literal('final'), answer: z.string(), output: z.unknown().optional() }),
  z.object({ kind: z.literal('fail'), error: ErrorBody }),
]);

// Model output may hold characters jsonb cannot store (NUL): scrubbed, never a failed write. Sent as
// jsonb text (SQL NULL when absent) by the raw upsert below, which runs once per planning round.
/**
 * Planning decisions, one row per round, written before any of the round's actions runs. A task
 * resumed on another replica replays them instead of planning again, so it neither re-plans
 * completed work differently nor pays for the same LLM call twice. Each row takes its task's tenant.
 */
@Injectable()
export class PlanningRoundRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Stores the round, with the task's pending events (`journal`) in the same statement. */
  async save(
    ref: TaskRef,
    iteration: number,
    planner: Tasks.PlannerKind,
    decision: PlanDecision,
    context?: RoundContext,
    journal?: JournalBatch,
  ): Promise<void> {
    const upsert = this.upsert(ref, iteration, planner, decision, context);
    if (!journal) {
      await this.prisma.$executeRaw`${upsert}`;
      return;
    }
    const w = journal.writes();
    const [row] = await this.prisma.$queryRaw<{ journaled: boolean; webhooksDue: number }[]>`
      ${withClause([{ name: 'round', sql: upsert }, ...w.with])} SELECT ${w.select}`;
    if (row) journal.committed(journaledOf(row));
  }

  /**
   * The round's upsert (RETURNING a row): a statement of its own, or a write deferred to ride with
   * the task's next commit (TaskEventSequence.defer).
   */
  upsert(
    { taskId, tenantId }: TaskRef,
    iteration: number,
    planner: Tasks.PlannerKind,
    decision: PlanDecision,
    context?: RoundContext,
  ): Prisma.Sql {
    const stored =
      decision.kind === 'actions'
        ? {
            kind: decision.kind,
            actions: decision.actions,
            ...(decision.groups ? { groups: decision.groups } : {}),
            ...(decision.rejected ? { rejected: decision.rejected } : {}),
          }
        : decision.kind === 'final'
          ? {
              kind: decision.kind,
              answer: decision.answer,
              ...(decision.output !== undefined ? { output: decision.output } : {}),
            }
          : { kind: decision.kind, error: decision.error.toBody() };
    const id = `${taskId}:${iteration}`;
    // Upsert: a replica that planned this round before dying may have stored it already.
    return Prisma.sql`
      INSERT INTO "PlanningRound" ("id", "taskId", "tenantId", "iteration", "planner", "decision",
                                   "memo", "usage", "model", "durationMs", "request", "context")
      VALUES (${id}, ${taskId}::uuid, ${tenantId}, ${iteration}, ${planner}, ${jsonText(stored)}::jsonb,
              ${jsonText(decision.memo)}::jsonb, ${jsonText(decision.usage)}::jsonb,
              ${decision.model ?? null}, ${decision.durationMs ?? null}::double precision,
              ${jsonText(decision.request)}::jsonb, ${jsonText(context)}::jsonb)
      ON CONFLICT ("id") DO UPDATE SET
        "planner" = EXCLUDED."planner", "decision" = EXCLUDED."decision", "memo" = EXCLUDED."memo",
        "usage" = EXCLUDED."usage", "model" = EXCLUDED."model", "durationMs" = EXCLUDED."durationMs",
        "request" = EXCLUDED."request", "context" = EXCLUDED."context"
      RETURNING 1`;
  }

  /** The task's stored rounds (in its tenant), in order. */
  async list({ taskId, tenantId }: TaskRef): Promise<StoredRound[]> {
    const rows = await this.prisma.planningRound.findMany({
      where: { taskId, tenantId },
      orderBy: { iteration: 'asc' },
    });
    return rows.flatMap((r) => {
      const parsed = StoredDecision.safeParse(r.decision);
      if (!parsed.success) return [];
      const usage = Tasks.TokenUsage.safeParse(r.usage);
      const info = {
        ...(r.memo !== null ? { memo: r.memo as unknown } : {}),
        ...(usage.success ? { usage: usage.data } : {}),
        ...(r.model ? { model: r.model } : {}),
        ...(r.durationMs !== null ? { durationMs: r.durationMs } : {}),
      };
      const d = parsed.data;
      const decision: PlanDecision =
        d.kind === 'fail'
          ? { kind: 'fail', error: DomainError.fromBody(d.error), ...info }
          : d.kind === 'final'
            ? {
                kind: 'final',
                answer: d.answer,
                ...(d.output !== undefined ? { output: d.output } : {}),
                ...info,
              }
            : {
                kind: 'actions',
                actions: d.actions,
                ...(d.groups ? { groups: d.groups } : {}),
                ...(d.rejected ? { rejected: d.rejected } : {}),
                ...info,
              };
      const context = RoundContext.safeParse(r.context);
      const round: StoredRound = {
        iteration: r.iteration,
        decision: r.request !== null ? { ...decision, request: r.request } : decision,
        planner: r.planner as Tasks.PlannerKind,
        ...(context.success && r.context !== null ? { context: context.data } : {}),
      };
      return [round];
    });
  }
}

export type StoredRound = PastRound & { planner: Tasks.PlannerKind; context?: RoundContext };

/**
 * What a round planned with, recorded for a replay (docs/replay.md): the agents it knew and, on the
 * first round, the tools offered (the manifest), the thread's history, a direct call's tool and input,
 * what was recalled from long-term memory.
 */
export const RoundContext = z.object({
  agents: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      approval: Approvals.ApprovalPolicy.optional(),
    }),
  ),
  manifest: z
    .object({ tools: z.array(Tools.ManifestTool), mode: z.enum(['auto', 'custom']) })
    .optional(),
  history: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() }))
    .optional(),
  call: z.object({ tool: z.string(), input: z.record(z.string(), z.unknown()) }).optional(),
  /**
   * What long-term memory's recall gave the task (docs/memory.md): a replay plans with it. An item
   * forgotten since is kept emptied, `forgotten: true` (memory/forget-recalled).
   */
  recalled: z
    .array(Tools.RecalledMemory.extend({ forgotten: z.literal(true).optional() }))
    .optional(),
});
export type RoundContext = z.infer<typeof RoundContext>;
