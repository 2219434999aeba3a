import { Injectable } from '@nestjs/common';
import { A2a, type Actor, Tasks, Tools, Webhooks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';

/**
 * What the platform's A2A agent asks the rest of the platform besides running tasks: the caller's
 * task list and the push configs of their tasks (the orchestrator's, which decides who may see
 * what), and for the extended card the tools and agents the caller may use (mcp-tools', a2a's).
 */
@Injectable()
export class PlatformAgentQueries {
  constructor(private readonly bus: NatsBus) {}

  listTasks(req: Tasks.TaskListRequest, actor: Actor): Promise<Tasks.TaskListResponse> {
    return this.bus.request(Tasks.TaskList, req, { actor });
  }

  setPushConfig(
    req: Webhooks.A2aPushConfigSetRequest,
    actor: Actor,
  ): Promise<Webhooks.A2aPushConfigView> {
    return this.bus.request(Webhooks.A2aPushConfigSet, req, { actor });
  }

  getPushConfig(taskId: string, configId: string, actor: Actor) {
    return this.bus.request(Webhooks.A2aPushConfigGet, { taskId, configId }, { actor });
  }

  listPushConfigs(req: { taskId: string; limit: number; after?: string }, actor: Actor) {
    return this.bus.request(Webhooks.A2aPushConfigList, req, { actor });
  }

  deletePushConfig(taskId: string, configId: string, actor: Actor) {
    return this.bus.request(Webhooks.A2aPushConfigDelete, { taskId, configId }, { actor });
  }

  /** The caller's tool manifest (their role's, authorizations applied). */
  tools(actor: Actor): Promise<Tools.Manifest> {
    return this.bus.request(Tools.ToolsManifest, {}, { actor });
  }

  /** The remote agents the caller may delegate to (a2a's per-role policy). */
  async agents(actor: Actor): Promise<A2a.AgentSummary[]> {
    return (await this.bus.request(A2a.AgentsList, {}, { actor })).agents;
  }
}
