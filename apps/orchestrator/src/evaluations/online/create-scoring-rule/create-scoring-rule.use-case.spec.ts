import { describe, expect, it } from '@jest/globals';
import { type Actor, Evaluations, isDomainError } from '@switchboard/contracts';
import type { ScoringRuleRepository } from '../scoring-rule.repository.js';
import { ruleCopiesDeps } from '../../../tenancy/tenant-rule.fakes.js';
import { ScoringRuleCopies } from '../scoring-rule.copies.js';
import { CreateScoringRuleUseCase } from './create-scoring-rule.use-case.js';

const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const body = Evaluations.ScoringRuleBody.parse({
  name: 'answers',
  filter: { agent: 'support' },
  scorers: [{ kind: 'regex', pattern: '\\d' }],
});

describe(CreateScoringRuleUseCase.name, () => {
  it("is an admin's only; a name taken in the tenant is CONFLICT", async () => {
    const names = new Set<string>();
    const deps = ruleCopiesDeps();
    const repository = {
      create: async (_id: string, tenantId: string, b: { name: string }) => {
        if (names.has(`${tenantId}/${b.name}`)) return undefined;
        names.add(`${tenantId}/${b.name}`);
        return { ...b, createdBy: 'alan' };
      },
    } as unknown as ScoringRuleRepository;
    const sut = new CreateScoringRuleUseCase(
      repository,
      new ScoringRuleCopies(repository, deps.bus, deps.config, deps.logger),
    );
    expect(body.rate).toBe(0.1); // a sample by default
    await expect(sut.execute(body, alan)).resolves.toMatchObject({ name: 'answers' });
    const again = await sut.execute(body, alan).catch((e: unknown) => e);
    expect(isDomainError(again) && again.code).toBe('CONFLICT');
    const user = await sut.execute(body, { ...alan, role: 'user' }).catch((e: unknown) => e);
    expect(isDomainError(user) && user.code).toBe('FORBIDDEN');
    expect(names.size).toBe(1);
    // the one rule made is announced to every replica; the refusals change nothing
    expect(deps.announced).toEqual(['scoring-rules']);
  });
});
