import { Injectable } from '@nestjs/common';
import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import { ManifestCache } from '../cache/manifest-cache.js';
import { ToolRegistry } from '../registry/tool-registry.service.js';
import { TaskOffers } from './task-offers.store.js';
import { ToolAccessChecker } from './tool-access.checker.js';

/**
 * The tools `actor` is offered under `constraints` (default `auto`), served from a per-user cache.
 * With a task id, what was offered is remembered: that task's calls may use only those tools.
 */
@Injectable()
export class BuildManifestUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly access: ToolAccessChecker,
    private readonly cache: ManifestCache,
    private readonly offers: TaskOffers,
  ) {}

  async execute(
    actor: Actor,
    constraints: Tasks.ToolConstraints | undefined,
    taskId?: string,
  ): Promise<Tools.Manifest> {
    const effective: Tasks.ToolConstraints = constraints ?? { mode: 'auto' };
    const generatedAt = new Date().toISOString();
    const slot = await this.cache.lookup(
      actor.userId,
      actor.role,
      effective,
      this.registry.version,
    );
    let tools = slot.tools;
    const cached = tools !== undefined;
    if (!tools) {
      tools = (await this.access.permitted(actor, effective)).map(({ definition: d }) =>
        Tools.ManifestTool.parse({
          name: d.name,
          title: d.title,
          description: d.description,
          provider: d.provider,
          inputSchema: d.inputSchema,
          ...(d.outputSchema ? { outputSchema: d.outputSchema } : {}),
          idempotent: d.idempotent,
          ...(d.requiredRole ? { requiredRole: d.requiredRole } : {}),
          ...(d.adminOnly ? { adminOnly: true } : {}),
        }),
      );
      await this.cache.store(slot, tools);
    }
    if (taskId)
      await this.offers.record(
        actor.userId,
        taskId,
        tools.map((t) => t.name),
      );
    return { tools, mode: effective.mode, generatedAt, cached };
  }
}
