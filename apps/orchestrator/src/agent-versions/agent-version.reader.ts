import { Injectable } from '@nestjs/common';
import type { Actor, Agents } from '@switchboard/contracts';
import { versionNotFound } from './agent-access.js';
import { configChanges } from './agent-config.js';
import { AgentLookup } from './agent-lookup.js';
import { AgentRepository } from './agent.repository.js';

/** Reads of an agent's versions for someone of its tenant: one, all of them, two compared. */
@Injectable()
export class AgentVersionReader {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
  ) {}

  async list(name: string, actor: Actor): Promise<Agents.AgentVersionView[]> {
    const agent = await this.lookup.find(name, actor);
    return this.repository.versions(agent.id);
  }

  async get(
    name: string,
    version: number,
    actor: Actor,
    field = 'version',
  ): Promise<Agents.AgentVersionView> {
    const agent = await this.lookup.find(name, actor);
    const found = await this.repository.version(agent.id, version);
    if (!found) throw versionNotFound(name, version, field);
    return found;
  }

  /** What changed from version `from` to version `to`. */
  async diff(
    name: string,
    from: number,
    to: number,
    actor: Actor,
  ): Promise<Agents.AgentVersionDiff> {
    const [a, b] = await Promise.all([
      this.get(name, from, actor, 'from'),
      this.get(name, to, actor, 'to'),
    ]);
    return { agent: name, from, to, changes: configChanges(a.config, b.config) };
  }
}
