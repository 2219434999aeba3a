import { Injectable } from '@nestjs/common';
import { type Agents, DomainError, type Tasks, tenantOf, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import type { AgentVersions, ResolvedAgent } from '../../tasks/index.js';
import { agentNotFound } from '../agent-access.js';
import { toolAllowed, toolSchemasSha256 } from '../agent-config.js';
import { AgentRoutingRepository } from '../agent-routing.repository.js';
import { AgentRepository } from '../agent.repository.js';
import { DefaultAgentCopies } from '../default-agent.copies.js';
import { canaryBucket } from './canary-bucket.js';

/** The version a choice resolved to, and how (the default agent, a canary's split). */
interface Chosen {
  version: Agents.AgentVersionView;
  canary?: Agents.AgentStamp['canary'];
}

/**
 * Resolves the agent version a task runs, once (the task core's AGENT_VERSIONS port): a stamp the
 * task has already (an earlier run of it) is taken as it is; a replay or fork of a stamped task takes
 * its record's stamp (the version it ran, whatever the label says now); otherwise the version it
 * names, by number or label (`production` by default), in its submitter's tenant — or, naming none,
 * its tenant's default agent's `production` (a replay or fork of a task that ran none runs none). A
 * fork that names a version (docs/evaluations.md) is forked onto it and stamped with it. A
 * label with a canary sends the task to the canary's version when its bucket (a hash of its thread,
 * or of the task when it has none) falls under the canary's weight. The stamp hashes
 * the tools the version lets it be offered: the task's manifest (under its own constraints), filtered
 * by the version's patterns — the names the run then takes as its constraints. Stored before the
 * task's claim, first one wins.
 */
@Injectable()
export class AgentVersionResolver implements AgentVersions {
  constructor(
    private readonly repository: AgentRepository,
    private readonly bus: NatsBus,
    private readonly routing: AgentRoutingRepository,
    private readonly defaults: DefaultAgentCopies,
  ) {}

  async resolve(s: Tasks.TaskSubmission): Promise<ResolvedAgent | undefined> {
    const tenantId = tenantOf(s.actor);
    // A fork naming an agent version runs that version: its parent's stamp is not inherited.
    const onto = s.run?.kind === 'fork' && s.request.agent !== undefined;
    const kept =
      (await this.repository.stampOf(s.taskId)) ??
      (s.run && !onto ? await this.repository.stampOf(s.run.of) : undefined);
    if (kept) return this.resolved(s, kept);
    const named = s.request.agent;
    const byDefault = named || s.run ? undefined : await this.defaults.get(tenantId);
    const choice = named ?? (byDefault ? { name: byDefault } : undefined);
    if (!choice) return undefined;
    const { version, canary } = await this.chosen(s, choice);
    const offered = await this.offered(s, version.config.tools);
    const stamp: Agents.AgentStamp = {
      agent: choice.name,
      versionId: version.versionId,
      version: version.version,
      ...(choice.version === undefined ? { label: choice.label ?? 'production' } : {}),
      instructionsSha256: version.instructionsSha256,
      model: version.config.model.name,
      toolSchemasSha256: toolSchemasSha256(offered),
      tools: offered.length,
      ...(byDefault ? { byDefault: true as const } : {}),
      ...(canary ? { canary } : {}),
    };
    const stored = await this.repository.keepStamp(s.taskId, tenantId, stamp);
    if (stored.versionId !== stamp.versionId) return this.resolved(s, stored);
    return {
      stamp: stored,
      tools: offered.map((t) => t.name),
      maxSteps: version.config.limits.maxSteps,
      planning: planningOf(version),
    };
  }

  /**
   * A stamp found (the task's own, or its record's): stored as the task's; its version's tools as
   * the task's manifest has them now.
   */
  private async resolved(
    s: Tasks.TaskSubmission,
    found: Agents.AgentStamp,
  ): Promise<ResolvedAgent> {
    const tenantId = tenantOf(s.actor);
    const stamp = await this.repository.keepStamp(s.taskId, tenantId, found);
    const version = await this.repository.versionById(tenantId, stamp.versionId);
    if (!version)
      throw new DomainError(
        'NOT_FOUND',
        `agent ${stamp.agent} has no version ${stamp.version} any more`,
      );
    const offered = await this.offered(s, version.config.tools);
    return {
      stamp,
      tools: offered.map((t) => t.name),
      maxSteps: version.config.limits.maxSteps,
      planning: planningOf(version),
    };
  }

  private async chosen(s: Tasks.TaskSubmission, choice: Agents.TaskAgentChoice): Promise<Chosen> {
    const agent = await this.repository.find(tenantOf(s.actor), choice.name);
    if (!agent) throw refused('agent.name', agentNotFound(choice.name).message);
    if (choice.version !== undefined) {
      const v = await this.repository.version(agent.id, choice.version);
      if (!v)
        throw refused('agent.version', `agent ${choice.name} has no version ${choice.version}`);
      return { version: v };
    }
    const label = choice.label ?? 'production';
    const v = await this.repository.labelled(agent.id, label);
    if (!v) throw refused('agent.label', `agent ${choice.name} has no label ${label}`);
    const canary = await this.routing.canary(agent.id, label);
    if (!canary) return { version: v };
    const bucket = canaryBucket(s, choice.name, label);
    const chosen = bucket < canary.weight;
    return {
      version: chosen ? canary.version : v,
      canary: { version: canary.version.version, weight: canary.weight, bucket, chosen },
    };
  }

  /** The tools of the task's manifest (under its constraints) the version's patterns allow. */
  private async offered(
    s: Tasks.TaskSubmission,
    patterns: readonly string[] | undefined,
  ): Promise<Tools.ManifestTool[]> {
    const { request, taskId, actor } = s;
    const manifest = await this.bus.request(
      Tools.ToolsManifest,
      { ...(request.tool_constraints ? { constraints: request.tool_constraints } : {}), taskId },
      { actor },
    );
    return manifest.tools.filter((t) => toolAllowed(t.name, patterns));
  }
}

/** What the version tells the planner (an LLM planner plans with them). */
function planningOf(version: Agents.AgentVersionView): ResolvedAgent['planning'] {
  return { instructions: version.config.instructions, model: version.config.model };
}

/** The task names what its tenant does not have: it ends at once, the error naming the field. */
function refused(path: string, message: string): DomainError {
  return new DomainError('NOT_FOUND', `${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}
