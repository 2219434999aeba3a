import { Injectable } from '@nestjs/common';
import { Evaluations } from '@switchboard/contracts';
import type { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';

type DatasetRow = Prisma.DatasetGetPayload<{ include: { items: true } }>;

/** A dataset with a rule, as the rule's observer reads it. */
export interface RuledDataset {
  id: string;
  name: string;
  rule: Evaluations.DatasetRule;
  items: number;
}

/**
 * Datasets and their items (docs/evaluations.md), each in one tenant: every read takes the tenant in
 * its where clause. Adding items locks the dataset's row and bumps its version in one transaction,
 * so two writers never give two changes one version.
 */
@Injectable()
export class DatasetRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new dataset; undefined when its name is taken in the tenant. */
  async create(
    id: string,
    tenantId: string,
    body: Evaluations.DatasetCreateBody,
    createdBy: string,
  ): Promise<Evaluations.DatasetView | undefined> {
    const taken = await this.prisma.dataset.findUnique({
      where: { tenantId_name: { tenantId, name: body.name } },
      select: { id: true },
    });
    if (taken) return undefined;
    const row = await this.prisma.dataset
      .create({
        data: {
          id,
          tenantId,
          name: body.name,
          createdBy,
          ...(body.description ? { description: body.description } : {}),
          ...(body.rule ? { rule: body.rule } : {}),
        },
        include: { items: true },
      })
      .catch((e: unknown) => {
        if ((e as { code?: string }).code === 'P2002') return undefined; // a concurrent create
        throw e;
      });
    return row ? viewOf(row) : undefined;
  }

  async list(tenantId: string): Promise<Omit<Evaluations.DatasetView, 'items'>[]> {
    const rows = await this.prisma.dataset.findMany({
      where: { tenantId },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => {
      const { items: _items, ...rest } = viewOf({ ...r, items: [] });
      return rest;
    });
  }

  /** The dataset (its id and view), or undefined: another tenant's is not found. */
  async get(
    tenantId: string,
    name: string,
  ): Promise<{ id: string; view: Evaluations.DatasetView } | undefined> {
    return this.find({ tenantId, name });
  }

  /** The dataset by its id, in the tenant. */
  byId(
    tenantId: string,
    id: string,
  ): Promise<{ id: string; view: Evaluations.DatasetView } | undefined> {
    return this.find({ tenantId, id });
  }

  private async find(
    where: Prisma.DatasetWhereInput,
  ): Promise<{ id: string; view: Evaluations.DatasetView } | undefined> {
    const row = await this.prisma.dataset.findFirst({
      where,
      include: { items: { orderBy: [{ addedIn: 'asc' }, { createdAt: 'asc' }] } },
    });
    return row ? { id: row.id, view: viewOf(row) } : undefined;
  }

  /**
   * Adds (or, for a task and step there already, re-expects) items as the dataset's next version.
   * `fits`: at most so many items in all (a rule's maxItems); items past it are not added.
   */
  async addItems(
    datasetId: string,
    items: readonly Evaluations.DatasetItemInput[],
    source: 'api' | 'rule',
    fits = Number.MAX_SAFE_INTEGER,
  ): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ version: number }[]>`
        SELECT "version" FROM "Dataset" WHERE "id" = ${datasetId}::uuid FOR UPDATE`;
      if (!locked) return 0;
      const count = await tx.datasetItem.count({ where: { datasetId } });
      const room = Math.max(0, fits - count);
      const version = locked.version + 1;
      let changed = 0;
      for (const item of items) {
        const key = { datasetId, taskId: item.taskId, step: item.step ?? 0 };
        const there = await tx.datasetItem.findUnique({ where: { datasetId_taskId_step: key } });
        if (there && source === 'rule') continue;
        if (!there && changed >= room) continue;
        const expectations = item.expectations as object | undefined;
        await tx.datasetItem.upsert({
          where: { datasetId_taskId_step: key },
          create: { ...key, addedIn: version, source, ...(expectations ? { expectations } : {}) },
          update: expectations ? { expectations } : {},
        });
        changed++;
      }
      if (changed) await tx.dataset.update({ where: { id: datasetId }, data: { version } });
      return changed;
    });
  }

  /** The tenant's datasets that have a rule. */
  async ruled(tenantId: string): Promise<RuledDataset[]> {
    // a tenant has few datasets: those without a rule are dropped here
    const rows = await this.prisma.dataset.findMany({
      where: { tenantId },
      include: { _count: { select: { items: true } } },
    });
    return rows.flatMap((r) => {
      if (r.rule === null) return [];
      const rule = Evaluations.DatasetRule.safeParse(r.rule);
      return rule.success
        ? [{ id: r.id, name: r.name, rule: rule.data, items: r._count.items }]
        : [];
    });
  }
}

function viewOf(row: DatasetRow): Evaluations.DatasetView {
  const rule = Evaluations.DatasetRule.safeParse(row.rule);
  return {
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    version: row.version,
    ...(row.rule && rule.success ? { rule: rule.data } : {}),
    items: row.items.map((i) => {
      const expectations = Evaluations.Expectations.safeParse(i.expectations);
      return {
        taskId: i.taskId,
        ...(i.step ? { step: i.step } : {}),
        ...(i.expectations && expectations.success ? { expectations: expectations.data } : {}),
        addedIn: i.addedIn,
        source: i.source === 'rule' ? 'rule' : 'api',
      };
    }),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
