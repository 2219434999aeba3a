import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { AgentLookup } from '../agent-lookup.js';
import { auditSpy, config, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentVersionUseCase } from '../create-agent-version/create-agent-version.use-case.js';
import { CreateAgentUseCase } from '../create-agent/create-agent.use-case.js';
import type { LabelGate } from '../label-gate.port.js';
import { MoveAgentLabelUseCase } from './move-agent-label.use-case.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };

async function setup() {
  const store = new InMemoryAgents();
  const { audit, records } = auditSpy();
  const repository = store.asRepository();
  const lookup = new AgentLookup(repository);
  await new CreateAgentUseCase(repository, audit).execute(
    { name: 'support', config: config() },
    admin,
  );
  await new CreateAgentVersionUseCase(lookup, repository, audit).execute(
    { agent: 'support', config: config({ tools: ['echo'] }) },
    admin,
  );
  records.length = 0;
  return {
    sut: new MoveAgentLabelUseCase(lookup, repository, audit),
    store,
    records,
    gated: (gate: LabelGate) => new MoveAgentLabelUseCase(lookup, repository, audit, gate),
  };
}

describe(MoveAgentLabelUseCase.name, () => {
  it('moves a protected label only where its gate lets it: a refusal is CONFLICT and nothing moves', async () => {
    const { gated, store, records } = await setup();
    const asked: unknown[] = [];
    const gate: LabelGate = {
      refusal: async (tenantId, agentId, label, versionId) => {
        asked.push({ tenantId, agentId, label, versionId });
        return label === 'production' ? 'is protected: no passing experiment' : undefined;
      },
    };
    const sut = gated(gate);
    const e = await sut
      .execute({ agent: 'support', label: 'production', version: 2 }, admin)
      .catch((x: unknown) => x);
    expect(isDomainError(e) && [e.code, e.message]).toEqual([
      'CONFLICT',
      'label production: is protected: no passing experiment',
    ]);
    expect((await store.labelled(store.agents[0]?.id ?? '', 'production'))?.version).toBe(1);
    expect(records).toEqual([]);
    expect(asked[0]).toMatchObject({ tenantId: 'acme', label: 'production' });
    // another label of the same agent is not protected
    await expect(
      sut.execute({ agent: 'support', label: 'staging', version: 2 }, admin),
    ).resolves.toMatchObject({ to: 2, moved: true });
  });

  it('releases by moving production forward and rolls back by moving it back, each audited', async () => {
    const { sut, store, records } = await setup();
    const up = await sut.execute({ agent: 'support', label: 'production', version: 2 }, admin);
    expect(up).toMatchObject({ from: 1, to: 2, moved: true });
    const back = await sut.execute({ agent: 'support', label: 'production', version: 1 }, admin);
    expect(back).toMatchObject({ from: 2, to: 1, moved: true });
    expect((await store.labelled(store.agents[0]?.id ?? '', 'production'))?.version).toBe(1);
    expect(records).toEqual([
      expect.objectContaining({
        action: 'agent.label.move',
        details: expect.objectContaining({ label: 'production', from: 1, to: 2, rollback: false }),
      }),
      expect.objectContaining({
        action: 'agent.label.move',
        details: expect.objectContaining({ from: 2, to: 1, rollback: true }),
      }),
    ]);
  });

  it('creates a new label; a move to where it points writes and audits nothing', async () => {
    const { sut, records } = await setup();
    const staging = await sut.execute({ agent: 'support', label: 'staging', version: 2 }, admin);
    expect(staging).toMatchObject({ to: 2, moved: true });
    expect(staging.from).toBeUndefined();
    const same = await sut.execute({ agent: 'support', label: 'staging', version: 2 }, admin);
    expect(same).toMatchObject({ from: 2, to: 2, moved: false });
    expect(records).toHaveLength(1);
  });

  it('refuses a version the agent does not have (naming it) and a non-admin', async () => {
    const { sut, records } = await setup();
    const missing = await sut
      .execute({ agent: 'support', label: 'production', version: 9 }, admin)
      .catch((e: unknown) => e);
    expect(isDomainError(missing) && missing.code).toBe('NOT_FOUND');
    expect(isDomainError(missing) && missing.message).toMatch(/^version: /);
    const user = await sut
      .execute({ agent: 'support', label: 'production', version: 2 }, { ...admin, role: 'user' })
      .catch((e: unknown) => e);
    expect(isDomainError(user) && user.code).toBe('FORBIDDEN');
    expect(records).toHaveLength(0);
  });
});
