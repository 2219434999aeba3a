import type { Agents } from '@switchboard/contracts';
import type { AgentRepository, FoundAgent, LabelWrite, NewVersion } from './agent.repository.js';
import type { AgentRoutingRepository, LabelCanary } from './agent-routing.repository.js';
import { ruleCopiesDeps } from '../tenancy/tenant-rule.fakes.js';
import { DefaultAgentCopies } from './default-agent.copies.js';

export { auditSpy } from '../schedules/schedule.fakes.js';

/** The store's default agents as the resolver reads them: kept for `ttlMs` (0: read through). */
export function defaultsOf(store: InMemoryAgents, ttlMs = 0): DefaultAgentCopies {
  const { bus, config, logger } = ruleCopiesDeps(ttlMs);
  return new DefaultAgentCopies(store.asRouting(), bus, config, logger);
}

interface Stored {
  id: string;
  tenantId: string;
  name: string;
  versions: Agents.AgentVersionView[];
  labels: Map<string, string>;
}

/** An AgentRepository in memory, with the real one's rules (numbers, first stamp wins). */
export class InMemoryAgents {
  readonly agents: Stored[] = [];
  readonly stamps = new Map<string, Agents.AgentStamp>();
  /** The default agent's id by tenant; a canary (version id, weight) by `agentId/label`. */
  readonly defaults = new Map<string, string>();
  readonly canaries = new Map<string, { versionId: string; weight: number }>();
  private at = Date.parse('2026-11-27T10:00:00Z');

  asRepository(): AgentRepository {
    return this as unknown as AgentRepository;
  }

  asRouting(): AgentRoutingRepository {
    return this as unknown as AgentRoutingRepository;
  }

  defaultAgent(tenantId: string): Promise<string | undefined> {
    const id = this.defaults.get(tenantId);
    return Promise.resolve(id ? this.byId(id).name : undefined);
  }

  async setDefault(
    tenantId: string,
    agentId: string,
    isDefault: boolean,
  ): Promise<{ previous?: string | undefined }> {
    const previous = await this.defaultAgent(tenantId);
    if (isDefault) this.defaults.set(tenantId, agentId);
    else if (this.defaults.get(tenantId) === agentId) this.defaults.delete(tenantId);
    return { previous };
  }

  canary(agentId: string, label: string): Promise<LabelCanary | undefined> {
    const c = this.canaries.get(`${agentId}/${label}`);
    const version = this.byId(agentId).versions.find((v) => v.versionId === c?.versionId);
    return Promise.resolve(c && version ? { version, weight: c.weight } : undefined);
  }

  setCanary(
    agentId: string,
    label: string,
    canary: { versionId: string; weight: number } | undefined,
  ): Promise<boolean> {
    if (!this.byId(agentId).labels.has(label)) return Promise.resolve(false);
    if (canary) this.canaries.set(`${agentId}/${label}`, canary);
    else this.canaries.delete(`${agentId}/${label}`);
    return Promise.resolve(true);
  }

  create(
    agent: { id: string; tenantId: string; name: string; description?: string | undefined },
    first: NewVersion,
  ): Promise<FoundAgent | undefined> {
    if (this.agents.some((a) => a.tenantId === agent.tenantId && a.name === agent.name))
      return Promise.resolve(undefined);
    const stored: Stored = { ...agent, versions: [], labels: new Map() };
    this.agents.push(stored);
    this.push(stored, first);
    stored.labels.set('production', first.id);
    return Promise.resolve({ id: stored.id, view: this.view(stored) });
  }

  find(tenantId: string, name: string): Promise<FoundAgent | undefined> {
    const a = this.agents.find((x) => x.tenantId === tenantId && x.name === name);
    return Promise.resolve(a ? { id: a.id, view: this.view(a) } : undefined);
  }

  addVersion(agentId: string, _tenantId: string, v: NewVersion): Promise<Agents.AgentVersionView> {
    return Promise.resolve(this.push(this.byId(agentId), v));
  }

  versions(agentId: string): Promise<Agents.AgentVersionView[]> {
    return Promise.resolve([...this.byId(agentId).versions].reverse());
  }

  version(agentId: string, version: number): Promise<Agents.AgentVersionView | undefined> {
    return Promise.resolve(this.byId(agentId).versions.find((v) => v.version === version));
  }

  versionById(tenantId: string, id: string): Promise<Agents.AgentVersionView | undefined> {
    const all = this.agents.flatMap((a) => a.versions);
    return Promise.resolve(all.find((v) => v.versionId === id && v.tenantId === tenantId));
  }

  labelled(agentId: string, label: string): Promise<Agents.AgentVersionView | undefined> {
    const a = this.byId(agentId);
    const id = a.labels.get(label);
    return Promise.resolve(a.versions.find((v) => v.versionId === id));
  }

  moveLabel(
    agentId: string,
    _tenantId: string,
    label: string,
    to: { version: number; versionId: string },
    _movedBy: string,
    decide: (from: number | undefined) => boolean,
  ): Promise<LabelWrite & { written: boolean }> {
    const a = this.byId(agentId);
    const now = a.versions.find((v) => v.versionId === a.labels.get(label));
    const from = now ? { version: now.version, versionId: now.versionId } : undefined;
    if (!decide(from?.version)) return Promise.resolve({ from, to, written: false });
    a.labels.set(label, to.versionId);
    return Promise.resolve({ from, to, written: true });
  }

  stampOf(taskId: string): Promise<Agents.AgentStamp | undefined> {
    return Promise.resolve(this.stamps.get(taskId));
  }

  keepStamp(
    taskId: string,
    _tenantId: string,
    stamp: Agents.AgentStamp,
  ): Promise<Agents.AgentStamp> {
    if (!this.stamps.has(taskId)) this.stamps.set(taskId, stamp);
    return Promise.resolve(this.stamps.get(taskId) ?? stamp);
  }

  private byId(id: string): Stored {
    const a = this.agents.find((x) => x.id === id);
    if (!a) throw new Error(`no agent ${id}`);
    return a;
  }

  private push(a: Stored, v: NewVersion): Agents.AgentVersionView {
    const view: Agents.AgentVersionView = {
      versionId: v.id,
      agent: a.name,
      tenantId: a.tenantId,
      version: a.versions.length + 1,
      config: v.config,
      instructionsSha256: v.instructionsSha256,
      ...(v.note ? { note: v.note } : {}),
      createdBy: v.createdBy,
      createdAt: new Date((this.at += 1000)).toISOString(),
    };
    a.versions.push(view);
    return view;
  }

  private view(a: Stored): Agents.AgentView {
    return {
      agent: a.name,
      tenantId: a.tenantId,
      latestVersion: a.versions.length,
      ...([...this.defaults].some(([t, id]) => t === a.tenantId && id === a.id)
        ? { isDefault: true }
        : {}),
      labels: [...a.labels].map(([label, id]) => {
        const v = a.versions.find((x) => x.versionId === id);
        const c = this.canaries.get(`${a.id}/${label}`);
        const cv = a.versions.find((x) => x.versionId === c?.versionId);
        return {
          label,
          versionId: id,
          version: v?.version ?? 0,
          ...(c && cv
            ? { canary: { versionId: c.versionId, version: cv.version, weight: c.weight } }
            : {}),
          movedBy: 'ann',
          movedAt: new Date(this.at).toISOString(),
        };
      }),
      createdAt: new Date(this.at).toISOString(),
    };
  }
}

/** A configuration as a request gives it (defaults filled). */
export function config(over: Partial<Agents.AgentConfigInput> = {}): Agents.AgentConfig {
  return {
    instructions: 'Answer briefly.',
    model: { name: 'gpt-test' },
    limits: {},
    ...over,
  } as Agents.AgentConfig;
}
