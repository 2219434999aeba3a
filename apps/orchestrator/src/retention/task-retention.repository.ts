import { Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** The stored statuses of a task that has ended: nothing will change its record any more. */
const ENDED = Prisma.sql`(${Prisma.join([...Tasks.TERMINAL_TASK_STATUSES])})`;

/**
 * Deletes ended tasks past their retention. Steps, planning rounds and approvals go with the row (their
 * foreign keys cascade), its journaled events (TaskEvent) and version stamp in the same statement. Replicas sweep at the same time without waiting on each other (SKIP LOCKED),
 * and a task a replay or fork still running was made from stays: the run reads its record until it ends.
 */
@Injectable()
export class TaskRetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `limit` tasks that ended before `cutoff`, oldest first; how many it deleted. */
  async expireEndedBefore(cutoff: Date, limit: number): Promise<number> {
    // The task's journal (TaskEvent) and its agent version stamp (AgentTaskStamp, docs/agents.md),
    // keyed by task without a foreign key, go in the same statement.
    const [row] = await this.prisma.$queryRaw<{ deleted: number }[]>`
      WITH gone AS (
      DELETE FROM "Task" WHERE "id" IN (
        SELECT t."id" FROM "Task" t
        WHERE t."status" IN ${ENDED} AND t."finishedAt" < ${cutoff.toISOString()}::timestamp(3)
          AND NOT EXISTS (
            SELECT 1 FROM "Task" run WHERE run."parentId" = t."id" AND run."status" NOT IN ${ENDED})
        ORDER BY t."finishedAt"
        LIMIT ${limit}
        FOR UPDATE OF t SKIP LOCKED)
      RETURNING "id"
      ), journal AS (
        DELETE FROM "TaskEvent" e USING gone WHERE e."taskId" = gone."id"
      ), stamps AS (
        DELETE FROM "AgentTaskStamp" s USING gone WHERE s."taskId" = gone."id"
      )
      SELECT count(*)::int AS "deleted" FROM gone`;
    return row?.deleted ?? 0;
  }
}
