import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { type RecordedRecall, redactRound, type RoundRecall } from './recalled-redaction.js';

/** Which recorded recalls a forget removes, as SQL over a round's `context.recalled` (jsonb). */
export type RecallMatch = { ids: string[] } | { userId: string } | { all: true };

/**
 * The run records' side of forgetting (docs/memory.md): the planning rounds of one tenant that
 * recalled a forgotten item, rewritten in one transaction, then read back.
 */
@Injectable()
export class RecallRecordsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Empties what `match` names (and `forget` allows) in the tenant's rounds; counts what changed. */
  async forget(
    tenantId: string,
    match: RecallMatch,
    forget: (item: RecordedRecall) => boolean,
  ): Promise<{ rounds: number; forgotten: number }> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<({ id: string } & RoundRecall)[]>`
        SELECT id, context, request FROM "PlanningRound"
        WHERE "tenantId" = ${tenantId} AND ${matching(match)}
        FOR UPDATE`;
      let rounds = 0;
      let forgotten = 0;
      for (const row of rows) {
        const redacted = redactRound(row, forget);
        if (!redacted) continue;
        await tx.planningRound.update({
          where: { id: row.id },
          data: {
            context: redacted.context as Prisma.InputJsonValue,
            ...(row.request !== null ? { request: redacted.request as Prisma.InputJsonValue } : {}),
          },
        });
        rounds += 1;
        forgotten += redacted.forgotten;
      }
      return { rounds, forgotten };
    });
  }

  /** The tenant's recorded recalls `match` still names (not forgotten), for the read-back. */
  async remaining(tenantId: string, match: RecallMatch): Promise<RecordedRecall[]> {
    const rows = await this.prisma.$queryRaw<{ item: RecordedRecall }[]>`
      SELECT e AS item FROM "PlanningRound", jsonb_array_elements(context->'recalled') e
      WHERE "tenantId" = ${tenantId} AND jsonb_typeof(context->'recalled') = 'array'
        AND NOT (e ? 'forgotten') AND ${elementMatches(match)}`;
    return rows.map((r) => r.item);
  }
}

/** A round that recalled something `match` names and that is not forgotten yet. */
function matching(match: RecallMatch): Prisma.Sql {
  return Prisma.sql`jsonb_typeof(context->'recalled') = 'array' AND EXISTS (
    SELECT 1 FROM jsonb_array_elements(context->'recalled') e
    WHERE NOT (e ? 'forgotten') AND ${elementMatches(match)})`;
}

function elementMatches(match: RecallMatch): Prisma.Sql {
  if ('all' in match) return Prisma.sql`TRUE`;
  if ('ids' in match) return Prisma.sql`e->>'id' = ANY(${match.ids}::text[])`;
  return Prisma.sql`((e->'namespace'->>'kind' = 'user' AND e->'namespace'->>'key' = ${match.userId})
    OR (e->'namespace'->>'kind' = 'thread' AND e->'writtenBy'->>'userId' = ${match.userId}))`;
}
