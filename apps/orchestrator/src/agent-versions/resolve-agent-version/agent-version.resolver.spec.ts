import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Tasks, type Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { sha256, toolSchemasSha256 } from '../agent-config.js';
import { AgentLookup } from '../agent-lookup.js';
import { auditSpy, config, defaultsOf, InMemoryAgents } from '../agent.fakes.js';
import { CreateAgentVersionUseCase } from '../create-agent-version/create-agent-version.use-case.js';
import { CreateAgentUseCase } from '../create-agent/create-agent.use-case.js';
import { MoveAgentLabelUseCase } from '../move-agent-label/move-agent-label.use-case.js';
import { AgentVersionResolver } from './agent-version.resolver.js';

const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const user: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };

const tool = (name: string): Tools.ManifestTool => ({
  name,
  title: name,
  description: name,
  provider: 'p',
  inputSchema: { type: 'object' },
  idempotent: true,
});
const MANIFEST = [tool('echo'), tool('notes.add'), tool('notes.search')];

async function setup() {
  const store = new InMemoryAgents();
  const { audit } = auditSpy();
  const repository = store.asRepository();
  const lookup = new AgentLookup(repository);
  await new CreateAgentUseCase(repository, audit).execute(
    { name: 'support', config: config({ tools: ['notes.*'] }) },
    admin,
  );
  await new CreateAgentVersionUseCase(lookup, repository, audit).execute(
    {
      agent: 'support',
      config: config({ tools: ['echo'], model: { name: 'gpt-2' }, limits: { maxSteps: 4 } }),
    },
    admin,
  );
  const labels = new MoveAgentLabelUseCase(lookup, repository, audit);
  const asked: unknown[] = [];
  const bus = {
    request: (_contract: unknown, req: unknown) => {
      asked.push(req);
      return Promise.resolve({ tools: MANIFEST, mode: 'auto', cached: false, generatedAt: '' });
    },
  } as unknown as NatsBus;
  return {
    sut: new AgentVersionResolver(repository, bus, store.asRouting(), defaultsOf(store)),
    labels,
    store,
    asked,
  };
}

const submission = (
  request: Partial<Tasks.TaskRequest>,
  over: Partial<Tasks.TaskSubmission> = {},
) =>
  ({
    taskId: randomUUID(),
    actor: user,
    request: { task: 'hi', ...request },
    submittedAt: new Date().toISOString(),
    correlationId: 'c',
    ...over,
  }) as Tasks.TaskSubmission;

describe(AgentVersionResolver.name, () => {
  it('runs a task naming no agent as ever: no stamp, nothing asked', async () => {
    const { sut, asked } = await setup();
    await expect(sut.resolve(submission({}))).resolves.toBeUndefined();
    expect(asked).toHaveLength(0);
  });

  it("stamps production's version by default: its instructions' and offered tools' hashes", async () => {
    const { sut } = await setup();
    const got = await sut.resolve(submission({ agent: { name: 'support' } }));
    expect(got?.stamp).toMatchObject({
      agent: 'support',
      version: 1,
      label: 'production',
      instructionsSha256: sha256('Answer briefly.'),
      model: 'gpt-test',
      toolSchemasSha256: toolSchemasSha256([tool('notes.add'), tool('notes.search')]),
      tools: 2,
    });
    expect(got?.tools).toEqual(['notes.add', 'notes.search']);
    expect(got?.maxSteps).toBeUndefined();
    expect(got?.planning).toEqual({ instructions: 'Answer briefly.', model: { name: 'gpt-test' } });
  });

  it('takes a version by number or label, and resolves once: a later run keeps the first stamp', async () => {
    const { sut, labels } = await setup();
    const byNumber = await sut.resolve(submission({ agent: { name: 'support', version: 2 } }));
    expect(byNumber?.stamp).toMatchObject({ version: 2, model: 'gpt-2', tools: 1 });
    expect(byNumber?.maxSteps).toBe(4);
    expect(byNumber?.planning.model).toEqual({ name: 'gpt-2' });
    expect(byNumber?.stamp.label).toBeUndefined();
    const s = submission({ agent: { name: 'support' } });
    expect((await sut.resolve(s))?.stamp.version).toBe(1);
    await labels.execute({ agent: 'support', label: 'production', version: 2 }, admin);
    // The same task again (a redelivery, a resume): still version 1; a new one: version 2.
    expect((await sut.resolve(s))?.stamp.version).toBe(1);
    expect((await sut.resolve(submission({ agent: { name: 'support' } })))?.stamp.version).toBe(2);
  });

  it('a replay keeps the stamp of the task it replays, whatever the label says now', async () => {
    const { sut, labels } = await setup();
    const original = submission({ agent: { name: 'support' } });
    const first = await sut.resolve(original);
    await labels.execute({ agent: 'support', label: 'production', version: 2 }, admin);
    const replay = submission(
      { agent: { name: 'support' } },
      { run: { kind: 'replay', of: original.taskId } as Tasks.TaskSubmission['run'] },
    );
    const again = await sut.resolve(replay);
    expect(again?.stamp).toEqual(first?.stamp);
    expect(again?.tools).toEqual(['notes.add', 'notes.search']);
  });

  it('a fork naming a version is stamped with it; a fork naming none keeps its parent stamp', async () => {
    const { sut } = await setup();
    const original = submission({ agent: { name: 'support' } });
    const first = await sut.resolve(original);
    const fork = (agent?: Tasks.TaskRequest['agent']) =>
      submission(agent ? { agent } : {}, {
        run: { kind: 'fork', of: original.taskId, from: { round: 1 } },
      });
    const onto = await sut.resolve(fork({ name: 'support', version: 2 }));
    expect(onto?.stamp).toMatchObject({ version: 2, model: 'gpt-2', tools: 1 });
    expect(onto?.stamp.label).toBeUndefined();
    expect(onto?.tools).toEqual(['echo']);
    expect((await sut.resolve(fork()))?.stamp).toEqual(first?.stamp);
  });

  it('refuses an agent, version or label the tenant does not have, naming the field', async () => {
    const { sut } = await setup();
    const cases: [Tasks.TaskRequest['agent'], Actor, string][] = [
      [{ name: 'nobody' }, user, 'agent.name'],
      [{ name: 'support', version: 7 }, user, 'agent.version'],
      [{ name: 'support', label: 'staging' }, user, 'agent.label'],
      [{ name: 'support' }, { ...user, tenantId: 'globex' }, 'agent.name'],
    ];
    for (const [agent, actor, field] of cases) {
      const e = await sut.resolve(submission({ agent }, { actor })).catch((x: unknown) => x);
      expect(isDomainError(e) && [e.code, e.message.split(':')[0]]).toEqual(['NOT_FOUND', field]);
    }
  });

  it("runs a task naming no agent as its tenant's default's production, the stamp saying so", async () => {
    const { sut, store } = await setup();
    store.defaults.set('acme', store.agents[0]?.id ?? '');
    const got = await sut.resolve(submission({}));
    expect(got?.stamp).toMatchObject({
      agent: 'support',
      version: 1,
      label: 'production',
      byDefault: true,
    });
    // Another tenant has none; a task naming an agent is not the default's; a replay of a task
    // that ran no agent runs none.
    const globex = submission({}, { actor: { ...user, tenantId: 'globex' } });
    expect(await sut.resolve(globex)).toBeUndefined();
    const named = await sut.resolve(submission({ agent: { name: 'support', version: 2 } }));
    expect(named?.stamp.byDefault).toBeUndefined();
    const replay = submission(
      {},
      { run: { kind: 'replay', of: randomUUID() } as Tasks.TaskSubmission['run'] },
    );
    expect(await sut.resolve(replay)).toBeUndefined();
  });

  it("splits a label's tasks by its canary's weight, sticky per thread, the choice in the stamp", async () => {
    const { sut, store } = await setup();
    const agent = store.agents[0];
    const v2 = agent?.versions[1]?.versionId ?? '';
    store.canaries.set(`${agent?.id}/production`, { versionId: v2, weight: 30 });
    const loose = await Promise.all(
      Array.from({ length: 200 }, () => sut.resolve(submission({ agent: { name: 'support' } }))),
    );
    const stamps = loose.map((r) => r?.stamp);
    for (const st of stamps) {
      expect(st?.canary).toMatchObject({ version: 2, weight: 30 });
      expect(st?.canary?.chosen).toBe((st?.canary?.bucket ?? 100) < 30);
      expect(st?.version).toBe(st?.canary?.chosen ? 2 : 1);
    }
    // 30% of 200 is 60; the bounds are over 3.5 standard deviations away.
    const canaried = stamps.filter((st) => st?.canary?.chosen).length;
    expect(canaried).toBeGreaterThan(35);
    expect(canaried).toBeLessThan(85);
    // Every task of one thread runs one version, whichever it is.
    const threads = Array.from({ length: 20 }, (_, i) => `thread-${i}`);
    const perThread = await Promise.all(
      threads.map(async (thread_id) => {
        const runs = await Promise.all(
          [1, 2, 3].map(() => sut.resolve(submission({ agent: { name: 'support' }, thread_id }))),
        );
        return new Set(runs.map((r) => r?.stamp.version));
      }),
    );
    expect(perThread.every((versions) => versions.size === 1)).toBe(true);
    // A version named by number is never split.
    const pinned = await sut.resolve(submission({ agent: { name: 'support', version: 1 } }));
    expect(pinned?.stamp.canary).toBeUndefined();
  });
});
