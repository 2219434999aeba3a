import { Injectable } from '@nestjs/common';
import { Approvals, type Tasks } from '@switchboard/contracts';
import { redactSecrets } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import { Prisma, type Approval } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type TaskRef, type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';

/** A call to hold for a decision, as the dispatcher found it. */
export interface ApprovalRequestRecord {
  taskId: string;
  /** The task's tenant. */
  tenantId: string;
  action: Tasks.PlanAction;
  input: Record<string, unknown>;
  argsHash: string;
  policy: Approvals.ApprovalPolicy;
  inputSchema?: Record<string, unknown> | undefined;
  requestedBy: string;
}

/** A stored approval with what the dispatcher and the decision need that the view leaves out. */
export interface StoredApproval {
  view: Approvals.ApprovalView;
  /** Its task's tenant (not in the view: the contract has no place for it). */
  tenantId: string;
  /** The arguments the call runs with: the edit if there is one, else the planned ones (not redacted). */
  runInput: Record<string, unknown>;
  approvedHash: string | undefined;
}

export interface Decision {
  status: Extract<Approvals.ApprovalStatus, 'approved' | 'rejected'>;
  decidedBy: string;
  comment?: string | undefined;
  editedInput?: Record<string, unknown> | undefined;
  approvedHash?: string | undefined;
}

const json = (v: unknown): Prisma.InputJsonValue => v as Prisma.InputJsonValue;

/**
 * Approvals of tasks, each in its task's tenant. Prisma types stay here; callers see the contract's
 * view. Reads for someone take their TenantScope.
 */
@Injectable()
export class ApprovalRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records pending approvals for calls of one planning round. A call that has one already (a replica
   * pausing the same round again after a crash) keeps it: (taskId, actionId) is unique.
   */
  async request(records: ApprovalRequestRecord[], now = new Date()): Promise<StoredApproval[]> {
    await this.prisma.approval.createMany({
      data: records.map((r) => ({
        id: randomUUID(),
        taskId: r.taskId,
        tenantId: r.tenantId,
        actionId: r.action.id,
        kind: r.action.kind,
        target: r.action.target,
        input: json(r.input),
        argsHash: r.argsHash,
        reason: r.action.description,
        policy: json(r.policy),
        ...(r.inputSchema ? { inputSchema: json(r.inputSchema) } : {}),
        status: 'pending',
        requestedBy: r.requestedBy,
        requestedAt: now,
        expiresAt: new Date(now.getTime() + r.policy.expiresInMs),
      })),
      skipDuplicates: true,
    });
    const taskId = records[0]?.taskId;
    if (!taskId) return [];
    const rows = await this.prisma.approval.findMany({
      where: { taskId, actionId: { in: records.map((r) => r.action.id) } },
    });
    return rows.map(stored);
  }

  /** The approvals of a task (in its tenant), by action id. */
  async ofTask({ taskId, tenantId }: TaskRef): Promise<Map<string, StoredApproval>> {
    const rows = await this.prisma.approval.findMany({ where: { taskId, tenantId } });
    return new Map(rows.map((r) => [r.actionId, stored(r)]));
  }

  /** The approval as `scope` sees it: another tenant's is undefined, as one that does not exist. */
  async get(
    taskId: string,
    approvalId: string,
    scope: TenantScope,
  ): Promise<StoredApproval | undefined> {
    const row = await this.prisma.approval.findFirst({
      where: { id: approvalId, taskId, ...tenantWhere(scope) },
    });
    return row ? stored(row) : undefined;
  }

  /** The tenant an approval is stored in, whoever asks (to audit a refusal; undefined: none such). */
  async tenantOfApproval(taskId: string, approvalId: string): Promise<string | undefined> {
    const row = await this.prisma.approval.findFirst({
      where: { id: approvalId, taskId },
      select: { tenantId: true },
    });
    return row?.tenantId;
  }

  /** Decides a pending approval; undefined when it was not pending any more (someone was first). */
  async decide(approvalId: string, d: Decision): Promise<StoredApproval | undefined> {
    const { count } = await this.prisma.approval.updateMany({
      where: { id: approvalId, status: 'pending' },
      data: {
        status: d.status,
        decidedBy: d.decidedBy,
        decidedAt: new Date(),
        comment: d.comment ?? null,
        ...(d.editedInput ? { editedInput: json(d.editedInput) } : {}),
        approvedHash: d.approvedHash ?? null,
      },
    });
    if (count === 0) return undefined;
    const row = await this.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } });
    return stored(row);
  }

  /** Pending approvals past their expiry, now expired (each claimed by exactly one replica). */
  async expireDue(limit = 100): Promise<StoredApproval[]> {
    const rows = await this.prisma.$queryRaw<Approval[]>`
      UPDATE "Approval" SET "status" = 'expired', "decidedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" IN (
        SELECT "id" FROM "Approval"
        WHERE "status" = 'pending' AND "expiresAt" <= (now() AT TIME ZONE 'UTC')
        ORDER BY "expiresAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING *`;
    return rows.map(stored);
  }

  /** Cancels the pending approvals of a task (the task was cancelled while it waited). */
  async cancelPending(taskId: string, by: string): Promise<number> {
    const { count } = await this.prisma.approval.updateMany({
      where: { taskId, status: 'pending' },
      data: { status: 'cancelled', decidedBy: by, decidedAt: new Date() },
    });
    return count;
  }

  /** Approvals waiting for a decision, platform-wide. */
  pendingCount(): Promise<number> {
    return this.prisma.approval.count({ where: { status: 'pending' } });
  }

  /** How many approvals the task has, and how many of them still wait. */
  async counts(taskId: string): Promise<{ total: number; pending: number }> {
    const [row] = await this.prisma.$queryRaw<{ total: bigint; pending: bigint }[]>`
      SELECT count(*) AS "total", count(*) FILTER (WHERE "status" = 'pending') AS "pending"
      FROM "Approval" WHERE "taskId" = ${taskId}::uuid`;
    return { total: Number(row?.total ?? 0), pending: Number(row?.pending ?? 0) };
  }

  /**
   * Approvals of one status in `scope`, newest first (the caller filters what the actor may decide).
   * Served by the (tenantId, status, requestedAt) index, or (status, requestedAt) for every tenant's.
   */
  async list(q: {
    status: Approvals.ApprovalStatus;
    taskId: string | undefined;
    scope: TenantScope;
    take: number;
  }): Promise<StoredApproval[]> {
    const { status, taskId, scope, take } = q;
    const rows = await this.prisma.approval.findMany({
      where: { ...tenantWhere(scope), status, ...(taskId ? { taskId } : {}) },
      orderBy: { requestedAt: 'desc' },
      take,
    });
    return rows.map(stored);
  }
}

function stored(r: Approval): StoredApproval {
  const input = r.input as Record<string, unknown>;
  const edited = (r.editedInput ?? undefined) as Record<string, unknown> | undefined;
  const view: Approvals.ApprovalView = {
    approvalId: r.id,
    taskId: r.taskId,
    tenantId: r.tenantId,
    stepId: r.actionId,
    kind: r.kind as 'tool' | 'agent',
    target: r.target,
    input: redactSecrets(input),
    argsHash: r.argsHash,
    reason: r.reason,
    policy: Approvals.ApprovalPolicy.parse(r.policy),
    status: r.status as Approvals.ApprovalStatus,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    ...(r.decidedBy ? { decidedBy: r.decidedBy } : {}),
    ...(r.decidedAt ? { decidedAt: r.decidedAt.toISOString() } : {}),
    ...(r.comment ? { comment: r.comment } : {}),
    ...(edited ? { editedInput: redactSecrets(edited) } : {}),
    ...(r.inputSchema ? { inputSchema: r.inputSchema as Record<string, unknown> } : {}),
  };
  return {
    view,
    tenantId: r.tenantId,
    runInput: edited ?? input,
    approvedHash: r.approvedHash ?? undefined,
  };
}
