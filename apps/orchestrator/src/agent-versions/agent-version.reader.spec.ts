import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { AgentLookup } from './agent-lookup.js';
import { AgentVersionReader } from './agent-version.reader.js';
import { auditSpy, config, InMemoryAgents } from './agent.fakes.js';
import { CreateAgentVersionUseCase } from './create-agent-version/create-agent-version.use-case.js';
import { CreateAgentUseCase } from './create-agent/create-agent.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const user: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };

describe(AgentVersionReader.name, () => {
  it('lists newest first, reads one and diffs two for anyone of the tenant', async () => {
    const store = new InMemoryAgents();
    const { audit } = auditSpy();
    const repository = store.asRepository();
    const lookup = new AgentLookup(repository);
    await new CreateAgentUseCase(repository, audit).execute(
      { name: 'support', config: config() },
      admin,
    );
    await new CreateAgentVersionUseCase(lookup, repository, audit).execute(
      { agent: 'support', config: config({ model: { name: 'gpt-2' } }) },
      admin,
    );
    const sut = new AgentVersionReader(lookup, repository);
    expect((await sut.list('support', user)).map((v) => v.version)).toEqual([2, 1]);
    expect((await sut.get('support', 1, user)).config.model.name).toBe('gpt-test');
    expect(await sut.diff('support', 1, 2, user)).toEqual({
      agent: 'support',
      from: 1,
      to: 2,
      changes: [{ path: 'model.name', from: 'gpt-test', to: 'gpt-2' }],
    });
    const missing = await sut.diff('support', 1, 5, user).catch((e: unknown) => e);
    expect(isDomainError(missing) && missing.message).toMatch(/^to: /);
    const elsewhere = await sut.list('support', { ...user, tenantId: 'globex' }).catch((e) => e);
    expect(isDomainError(elsewhere) && elsewhere.code).toBe('NOT_FOUND');
  });
});
