import { Injectable } from '@nestjs/common';
import { Agents, DEFAULT_TENANT } from '@switchboard/contracts';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

type Tx = Prisma.TransactionClient;

/** An agent row with what its view needs. */
type AgentRow = Prisma.AgentGetPayload<{ include: typeof withLabels }>;
type VersionRow = Prisma.AgentVersionGetPayload<{ include: { agent: { select: { name: true } } } }>;

/** A new version's content, as the use cases make it. */
export interface NewVersion {
  id: string;
  config: Agents.AgentConfig;
  instructionsSha256: string;
  note?: string | undefined;
  createdBy: string;
}

/** An agent found in its tenant: its id (for writes) and its view. */
export interface FoundAgent {
  id: string;
  view: Agents.AgentView;
}

/** A label as it was before a move, and after. */
export interface LabelWrite {
  from?: { version: number; versionId: string } | undefined;
  to: { version: number; versionId: string };
}

const withLabels = {
  labels: {
    include: { target: { select: { version: true } }, canary: { select: { version: true } } },
  },
  defaultOf: { select: { tenantId: true } },
} as const;

/**
 * Agents, their versions and labels, and the tasks' version stamps (docs/agents.md), each in one
 * tenant: every read takes the tenant in its where clause. Versions are only ever inserted; the
 * agent's row is locked while a version number is taken or a label moved, so two writers of one
 * agent queue (two versions never get one number, a label's `from` is the one it really left).
 */
@Injectable()
export class AgentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new agent with its version 1 and `production` on it; undefined when the name is taken. */
  async create(
    agent: { id: string; tenantId: string; name: string; description?: string | undefined },
    first: NewVersion,
  ): Promise<FoundAgent | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO "Agent" ("id", "tenantId", "name", "description", "createdBy")
        VALUES (${agent.id}::uuid, ${agent.tenantId}, ${agent.name}, ${agent.description ?? null}, ${first.createdBy})
        ON CONFLICT ("tenantId", "name") DO NOTHING`;
      if (inserted === 0) return undefined;
      await insertVersion(tx, agent.id, agent.tenantId, 1, first);
      await tx.agentLabel.create({
        data: {
          agentId: agent.id,
          tenantId: agent.tenantId,
          label: Agents.DEFAULT_AGENT_LABEL,
          versionId: first.id,
          movedBy: first.createdBy,
        },
      });
      const row = await tx.agent.findUniqueOrThrow({
        where: { id: agent.id },
        include: withLabels,
      });
      return { id: row.id, view: agentViewOf(row, 1) };
    });
  }

  async find(tenantId: string, name: string): Promise<FoundAgent | undefined> {
    const row = await this.prisma.agent.findUnique({
      where: { tenantId_name: { tenantId, name } },
      include: withLabels,
    });
    if (!row) return undefined;
    return { id: row.id, view: agentViewOf(row, await this.latest(row.id)) };
  }

  async list(tenantId: string): Promise<Agents.AgentView[]> {
    const rows = await this.prisma.agent.findMany({
      where: { tenantId },
      include: { ...withLabels, versions: { select: { version: true } } },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => agentViewOf(r, Math.max(...r.versions.map((v) => v.version))));
  }

  /** Stores the agent's next version (its number: one more than its latest). */
  async addVersion(
    agentId: string,
    tenantId: string,
    v: NewVersion,
  ): Promise<Agents.AgentVersionView> {
    return this.prisma.$transaction(async (tx) => {
      await lockAgent(tx, agentId);
      const latest = await tx.agentVersion.aggregate({
        where: { agentId },
        _max: { version: true },
      });
      await insertVersion(tx, agentId, tenantId, (latest._max.version ?? 0) + 1, v);
      return versionViewOf(
        await tx.agentVersion.findUniqueOrThrow({ where: { id: v.id }, include: named }),
      );
    });
  }

  /** The agent's versions, newest first. */
  async versions(agentId: string): Promise<Agents.AgentVersionView[]> {
    const rows = await this.prisma.agentVersion.findMany({
      where: { agentId },
      include: named,
      orderBy: { version: 'desc' },
    });
    return rows.map(versionViewOf);
  }

  async version(agentId: string, version: number): Promise<Agents.AgentVersionView | undefined> {
    const row = await this.prisma.agentVersion.findUnique({
      where: { agentId_version: { agentId, version } },
      include: named,
    });
    return row ? versionViewOf(row) : undefined;
  }

  /** A version by its id, in its tenant. */
  async versionById(
    tenantId: string,
    versionId: string,
  ): Promise<Agents.AgentVersionView | undefined> {
    const row = await this.prisma.agentVersion.findFirst({
      where: { id: versionId, tenantId },
      include: named,
    });
    return row ? versionViewOf(row) : undefined;
  }

  /** The version a label points at, if the agent has that label. */
  async labelled(agentId: string, label: string): Promise<Agents.AgentVersionView | undefined> {
    const row = await this.prisma.agentLabel.findUnique({
      where: { agentId_label: { agentId, label } },
      include: { target: { include: named } },
    });
    return row ? versionViewOf(row.target) : undefined;
  }

  /**
   * Points `label` at `to` unless `decide` (given where it points now) says to keep it: the read and
   * the write under the agent's lock.
   */
  async moveLabel(
    agentId: string,
    tenantId: string,
    label: string,
    to: { version: number; versionId: string },
    movedBy: string,
    decide: (from: number | undefined) => boolean,
  ): Promise<LabelWrite & { written: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      await lockAgent(tx, agentId);
      const now = await tx.agentLabel.findUnique({
        where: { agentId_label: { agentId, label } },
        include: { target: { select: { version: true } } },
      });
      const from = now ? { version: now.target.version, versionId: now.versionId } : undefined;
      if (!decide(from?.version)) return { from, to, written: false };
      await tx.agentLabel.upsert({
        where: { agentId_label: { agentId, label } },
        create: { agentId, tenantId, label, versionId: to.versionId, movedBy },
        update: { versionId: to.versionId, movedBy, movedAt: new Date() },
      });
      return { from, to, written: true };
    });
  }

  /** A task's stamp, if it has one. */
  async stampOf(taskId: string): Promise<Agents.AgentStamp | undefined> {
    const row = await this.prisma.agentTaskStamp.findUnique({ where: { taskId } });
    const parsed = Agents.AgentStamp.safeParse(row?.stamp);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Stores a task's stamp unless it has one already, and answers the one stored: the first run's
   * resolution is the one every later run of the task (a redelivery, a resume) takes.
   */
  async keepStamp(
    taskId: string,
    tenantId: string,
    stamp: Agents.AgentStamp,
  ): Promise<Agents.AgentStamp> {
    await this.prisma.$executeRaw`
      INSERT INTO "AgentTaskStamp" ("taskId", "tenantId", "versionId", "stamp")
      VALUES (${taskId}::uuid, ${tenantId}, ${stamp.versionId}::uuid, ${JSON.stringify(stamp)}::jsonb)
      ON CONFLICT ("taskId") DO NOTHING`;
    return (await this.stampOf(taskId)) ?? stamp;
  }

  /** The latest version number of an agent (every agent has version 1). */
  private async latest(agentId: string): Promise<number> {
    const r = await this.prisma.agentVersion.aggregate({
      where: { agentId },
      _max: { version: true },
    });
    return r._max.version ?? 1;
  }
}

export const named = { agent: { select: { name: true } } } as const;

async function lockAgent(tx: Tx, agentId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Agent" WHERE "id" = ${agentId}::uuid FOR UPDATE`;
}

async function insertVersion(
  tx: Tx,
  agentId: string,
  tenantId: string,
  version: number,
  v: NewVersion,
): Promise<void> {
  await tx.agentVersion.create({
    data: {
      id: v.id,
      agentId,
      tenantId,
      version,
      config: v.config as object,
      instructionsSha256: v.instructionsSha256,
      note: v.note ?? null,
      createdBy: v.createdBy,
    },
  });
}

function agentViewOf(row: AgentRow, latestVersion: number): Agents.AgentView {
  return {
    agent: row.name,
    tenantId: row.tenantId || DEFAULT_TENANT,
    ...(row.description ? { description: row.description } : {}),
    ...(row.defaultOf.length ? { isDefault: true } : {}),
    latestVersion,
    labels: row.labels
      .map((l) => ({
        label: l.label,
        versionId: l.versionId,
        version: l.target.version,
        ...(l.canary && l.canaryVersionId && l.canaryWeight
          ? {
              canary: {
                versionId: l.canaryVersionId,
                version: l.canary.version,
                weight: l.canaryWeight,
              },
            }
          : {}),
        movedBy: l.movedBy,
        movedAt: l.movedAt.toISOString(),
      }))
      .sort((a, b) => (a.label < b.label ? -1 : 1)),
    createdAt: row.createdAt.toISOString(),
  };
}

export function versionViewOf(row: VersionRow): Agents.AgentVersionView {
  return {
    versionId: row.id,
    agent: row.agent.name,
    tenantId: row.tenantId,
    version: row.version,
    config: Agents.AgentConfig.parse(row.config),
    instructionsSha256: row.instructionsSha256,
    ...(row.note ? { note: row.note } : {}),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
