import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { AgentLookup } from '../agent-lookup.js';
import { auditSpy, config, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentUseCase } from '../create-agent/create-agent.use-case.js';
import { DefaultAgentCopies } from '../default-agent.copies.js';
import { ruleCopiesDeps } from '../../tenancy/tenant-rule.fakes.js';
import { SetDefaultAgentUseCase } from './set-default-agent.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };

async function setup() {
  const store = new InMemoryAgents();
  const { audit, records } = auditSpy();
  const repository = store.asRepository();
  const creating = new CreateAgentUseCase(repository, audit);
  for (const name of ['support', 'sales'])
    await creating.execute({ name, config: config() }, admin);
  records.length = 0;
  const deps = ruleCopiesDeps(60_000);
  const defaults = new DefaultAgentCopies(store.asRouting(), deps.bus, deps.config, deps.logger);
  const sut = new SetDefaultAgentUseCase(
    new AgentLookup(repository),
    store.asRouting(),
    audit,
    defaults,
  );
  return { sut, store, records, defaults, announced: deps.announced };
}

describe(SetDefaultAgentUseCase.name, () => {
  it("sets, replaces and clears the tenant's default, auditing each change once", async () => {
    const { sut, store, records, announced } = await setup();
    const set = (agent: string, isDefault = true) => sut.execute({ agent, isDefault }, admin);
    expect(await set('support')).toEqual({ agent: 'support' });
    expect(await set('support')).toEqual({ agent: 'support', previous: 'support' });
    expect(await set('sales')).toEqual({ agent: 'sales', previous: 'support' });
    expect([await store.defaultAgent('acme'), await store.defaultAgent('globex')]).toEqual([
      'sales',
      undefined,
    ]);
    // Unsetting one that is not the default leaves the default as it is.
    expect(await set('support', false)).toEqual({ agent: 'sales', previous: 'sales' });
    expect(await set('sales', false)).toEqual({ previous: 'sales' });
    expect(store.defaults.size).toBe(0);
    expect(records.map((r) => [r.action, r.details])).toEqual([
      ['agent.default.set', { agent: 'support' }],
      ['agent.default.set', { agent: 'sales', previous: 'support' }],
      ['agent.default.set', { previous: 'sales' }],
    ]);
    // announced to the other replicas as often as it changed: the two calls that changed nothing are not
    expect(announced).toHaveLength(records.length);
  });

  it("drops this replica's copy of the tenant's default at once and announces the change to the others", async () => {
    const { sut, defaults, announced } = await setup();
    expect(await defaults.get('acme')).toBeUndefined(); // kept for a minute from here
    await sut.execute({ agent: 'support', isDefault: true }, admin);
    expect(await defaults.get('acme')).toBe('support');
    await sut.execute({ agent: 'support', isDefault: false }, admin);
    expect(await defaults.get('acme')).toBeUndefined();
    expect(announced).toEqual(['default-agent', 'default-agent']);
  });

  it("refuses a non-admin and an agent the tenant does not have (another tenant's included)", async () => {
    const { sut, records, announced } = await setup();
    const user = await sut
      .execute({ agent: 'support', isDefault: true }, { ...admin, role: 'user' })
      .catch((e: unknown) => e);
    expect(isDomainError(user) && user.code).toBe('FORBIDDEN');
    const other = await sut
      .execute({ agent: 'support', isDefault: true }, { ...admin, tenantId: 'globex' })
      .catch((e: unknown) => e);
    expect(isDomainError(other) && other.code).toBe('NOT_FOUND');
    expect(records).toEqual([]);
    expect(announced).toEqual([]);
  });
});
