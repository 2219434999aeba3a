import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { AgentLookup } from '../agent-lookup.js';
import { auditSpy, config, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentUseCase } from '../create-agent/create-agent.use-case.js';
import { CreateAgentVersionUseCase } from './create-agent-version.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };

async function setup() {
  const store = new InMemoryAgents();
  const { audit, records } = auditSpy();
  const repository = store.asRepository();
  await new CreateAgentUseCase(repository, audit).execute(
    { name: 'support', config: config() },
    admin,
  );
  records.length = 0;
  const sut = new CreateAgentVersionUseCase(new AgentLookup(repository), repository, audit);
  return { sut, store, records };
}

describe(CreateAgentVersionUseCase.name, () => {
  it('stores the next number, leaves production where it was, audited', async () => {
    const { sut, store, records } = await setup();
    const v2 = await sut.execute(
      { agent: 'support', config: config({ instructions: 'Be thorough.' }), note: 'longer' },
      admin,
    );
    const v3 = await sut.execute({ agent: 'support', config: config() }, admin);
    expect([v2.version, v3.version]).toEqual([2, 3]);
    expect(v2).toMatchObject({ note: 'longer', createdBy: 'ann' });
    expect(v2.instructionsSha256).not.toBe(v3.instructionsSha256);
    const production = await store.labelled(store.agents[0]?.id ?? '', 'production');
    expect(production?.version).toBe(1);
    expect(records.map((r) => r['action'])).toEqual([
      'agent.version.create',
      'agent.version.create',
    ]);
  });

  it("answers NOT_FOUND for another tenant's agent, FORBIDDEN for a non-admin", async () => {
    const { sut } = await setup();
    const elsewhere = await sut
      .execute({ agent: 'support', config: config() }, { ...admin, tenantId: 'globex' })
      .catch((e: unknown) => e);
    expect(isDomainError(elsewhere) && elsewhere.code).toBe('NOT_FOUND');
    const user = await sut
      .execute({ agent: 'support', config: config() }, { ...admin, role: 'user' })
      .catch((e: unknown) => e);
    expect(isDomainError(user) && user.code).toBe('FORBIDDEN');
  });
});
