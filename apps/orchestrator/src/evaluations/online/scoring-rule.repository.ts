import { Injectable } from '@nestjs/common';
import { Evaluations } from '@switchboard/contracts';
import { PrismaService } from '../../prisma/prisma.service.js';

/** A scoring rule as the observer applies it. */
export interface ActiveRule {
  id: string;
  view: Evaluations.ScoringRuleView;
}

/** Online scoring rules (docs/evaluations.md), each read in one tenant. */
@Injectable()
export class ScoringRuleRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new rule; undefined when its name is taken in the tenant. */
  async create(
    id: string,
    tenantId: string,
    body: Evaluations.ScoringRuleBody,
    createdBy: string,
  ): Promise<Evaluations.ScoringRuleView | undefined> {
    const row = await this.prisma.scoringRule
      .create({
        data: {
          id,
          tenantId,
          name: body.name,
          filter: body.filter,
          rate: body.rate,
          scorers: body.scorers,
          ...(body.expectations ? { expectations: body.expectations as object } : {}),
          createdBy,
        },
      })
      .catch((e: unknown) => {
        if ((e as { code?: string }).code === 'P2002') return undefined;
        throw e;
      });
    return row ? viewOf(row) : undefined;
  }

  async list(tenantId: string): Promise<ActiveRule[]> {
    const rows = await this.prisma.scoringRule.findMany({
      where: { tenantId },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => ({ id: r.id, view: viewOf(r) }));
  }
}

function viewOf(r: {
  name: string;
  filter: unknown;
  rate: number;
  scorers: unknown;
  expectations: unknown;
  createdBy: string;
  createdAt: Date;
}): Evaluations.ScoringRuleView {
  const expectations = Evaluations.Expectations.safeParse(r.expectations);
  return {
    name: r.name,
    filter: Evaluations.DatasetRule.shape.filter.parse(r.filter),
    rate: r.rate,
    scorers: Evaluations.ExperimentBody.shape.scorers.parse(r.scorers),
    ...(r.expectations && expectations.success ? { expectations: expectations.data } : {}),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}
