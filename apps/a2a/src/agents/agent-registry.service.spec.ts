import { TenantDirectory } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { A2aEnv } from '../config/a2a.env.js';
import type { AgentResilience } from '../delegation/agent-resilience.js';
import type { CardFetch, RemoteAgentPort, RemoteCard } from '../delegation/remote-agent.port.js';
import type { AgentHttp } from '../transport/agent-http.service.js';
import { AgentAccess } from './agent-access.js';
import { AgentRegistry } from './agent-registry.service.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const card = (description: string): RemoteCard => ({
  name: 'Researcher',
  description,
  version: '1',
  protocolVersion: '1.0',
  interfaceUrl: 'http://researcher.agents.example/a2a',
  streaming: true,
  pushNotifications: false,
  skills: [],
  json: { name: 'Researcher' },
});

const TWO_AGENTS = 'researcher=http://researcher.agents.example,writer=http://writer.example';

function registry(
  answers: (CardFetch | Error)[],
  policy = '*=*',
  agents = TWO_AGENTS,
  tenants = new TenantDirectory(),
) {
  const calls: { etag: string | undefined }[] = [];
  const port = {
    fetchCard: async (_url: string, opts: { etag?: string }) => {
      calls.push({ etag: opts.etag });
      const next = answers.shift();
      if (!next) throw new Error('no scripted answer');
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as RemoteAgentPort;
  const http = {
    transportOf: (url: string) => (url.includes('agents.example') ? 'xmpp' : 'http'),
  } as unknown as AgentHttp;
  const resilience = { circuitOf: () => 'closed' } as unknown as AgentResilience;
  const config = A2aEnv.parse({
    A2A_AGENTS: agents,
    A2A_CARD_TTL_MS: '60000',
    A2A_AGENT_POLICY: policy,
  });
  // lru-cache treats a start time of 0 as "no TTL": the fake clock starts later.
  const clock = {
    t: 1_000_000,
    now() {
      return this.t;
    },
  };
  const access = new AgentAccess(config, tenants);
  return {
    sut: new AgentRegistry(config, port, http, resilience, access, logger, clock),
    calls,
    clock,
  };
}

const fresh = (description: string, etag = '"v1"', maxAgeMs?: number): CardFetch => ({
  kind: 'card',
  card: card(description),
  connection: { protocolVersion: '1.0' },
  etag,
  maxAgeMs,
});

describe(AgentRegistry.name, () => {
  it('caches a card, revalidates it with If-None-Match once stale, and keeps it on 304', async () => {
    const { sut, calls, clock } = registry([
      fresh('first'),
      { kind: 'not-modified', maxAgeMs: undefined },
      fresh('second', '"v2"'),
    ]);
    expect((await sut.resolve('researcher')).card.description).toBe('first');
    expect((await sut.resolve('researcher')).card.description).toBe('first');
    expect(calls).toEqual([{ etag: undefined }]);
    clock.t += 60_001;
    expect((await sut.resolve('researcher')).card.description).toBe('first');
    clock.t += 60_001;
    const third = await sut.resolve('researcher');
    expect(third.card.description).toBe('second');
    expect(third.transport).toBe('xmpp');
    expect(calls).toEqual([{ etag: undefined }, { etag: '"v1"' }, { etag: '"v1"' }]);
  });

  it('honours a shorter max-age from the agent, and serves the last good card when revalidation fails', async () => {
    const { sut, calls, clock } = registry([
      fresh('first', '"v1"', 1_000),
      new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true }),
    ]);
    await sut.resolve('researcher');
    clock.t += 1_001;
    expect((await sut.resolve('researcher')).card.description).toBe('first');
    expect(calls).toHaveLength(2);
  });

  it('refuses unknown agents and fails when a card was never loaded', async () => {
    const { sut } = registry([
      new DomainError('UPSTREAM_ERROR', 'the agent card of researcher is not valid JSON'),
    ]);
    await expect(sut.resolve('plumber')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('researcher, writer'),
    });
    await expect(sut.resolve('researcher')).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('lists only what the role may use, unreachable agents as unavailable', async () => {
    const { sut } = registry([
      fresh('first'),
      new DomainError('UPSTREAM_UNAVAILABLE', 'cannot reach writer.example: ECONNREFUSED', {
        retryable: true,
      }),
    ]);
    const all = await sut.list({ userId: 'u', role: 'user' });
    expect(all.map((a) => [a.name, a.available, a.transport])).toEqual([
      ['researcher', true, 'xmpp'],
      ['writer', false, 'http'],
    ]);
    expect(all[1]?.problem).toContain('ECONNREFUSED');
    const { sut: limited } = registry([fresh('first')], 'guest=researcher');
    expect((await limited.list({ userId: 'g', role: 'guest' })).map((a) => a.name)).toEqual([
      'researcher',
    ]);
    expect(await limited.list({ userId: 'x', role: 'user' })).toEqual([]);
  });

  it("lists only the agents the actor's tenant has, to its admins too", async () => {
    const tenants = new TenantDirectory({ tenants: { acme: { agents: ['writer'] } } });
    const { sut } = registry([fresh('first'), fresh('second')], '*=*', TWO_AGENTS, tenants);
    const names = async (tenantId: string, role = 'admin') =>
      (await sut.list({ userId: 'u', role, tenantId })).map((a) => a.name);
    expect(await names('acme')).toEqual(['writer']);
    expect(await names('acme', 'user')).toEqual(['writer']);
    expect(await names('globex')).toEqual(['researcher', 'writer']);
    expect(sut.refusal({ userId: 'u', role: 'admin', tenantId: 'acme' }, 'researcher')).toBe(
      'tenant',
    );
  });

  it("lists each agent's approval policy, also while its card cannot be read", async () => {
    const agents = JSON.stringify([
      { name: 'researcher', url: 'http://researcher.agents.example' },
      { name: 'writer', url: 'http://writer.example', approval: { expiresInMs: 60_000 } },
    ]);
    const { sut } = registry(
      [fresh('first'), new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true })],
      '*=*',
      agents,
    );
    const [researcher, writer] = await sut.list({ userId: 'u', role: 'user' });
    expect(researcher?.approval).toBeUndefined();
    expect(writer).toMatchObject({
      available: false,
      approval: { expiresInMs: 60_000, approvers: { requester: true }, onExpiry: 'reject' },
    });
  });
});
