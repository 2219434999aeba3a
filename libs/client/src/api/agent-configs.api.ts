import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  AgentDefaultView,
  AgentLabelMoved,
  AgentLabelView,
  AgentVersionDiff,
  AgentVersionView,
  AgentView,
} from '../wire.js';

/**
 * Agent versions (docs/agents.md): the tenant's agents, their versions and the diff of two, and —
 * an admin's — labels, a label's canary split and the tenant's default agent.
 */
export class AgentConfigsApi {
  constructor(private readonly transport: Transport) {}

  /** The tenant's agents, by name. */
  list(options: CallOptions = {}): Promise<{ agents: AgentView[] }> {
    return this.transport.send('GET', 'agent-configs', options);
  }

  /** An agent's versions, newest first. */
  versions(agent: string, options: CallOptions = {}): Promise<{ versions: AgentVersionView[] }> {
    return this.transport.send('GET', pathOf`agent-configs/${agent}/versions`, options);
  }

  /** What changed from version `from` to version `to`, one entry per field. */
  diff(
    agent: string,
    from: number,
    to: number,
    options: CallOptions = {},
  ): Promise<AgentVersionDiff> {
    return this.transport.send('GET', pathOf`agent-configs/${agent}/diff`, options, {
      query: { from, to },
    });
  }

  /** Points a label at a version: the release, and the rollback. Harmless to repeat. */
  moveLabel(
    agent: string,
    label: string,
    version: number,
    options: CallOptions = {},
  ): Promise<AgentLabelMoved> {
    return this.transport.send('PUT', pathOf`agent-configs/${agent}/labels/${label}`, options, {
      body: { version },
      repeatable: true,
    });
  }

  /** Splits a label's traffic with another version (`null`: ends the split). Harmless to repeat. */
  setCanary(
    agent: string,
    label: string,
    canary: { version: number; weight: number } | null,
    options: CallOptions = {},
  ): Promise<AgentLabelView> {
    return this.transport.send(
      'PUT',
      pathOf`agent-configs/${agent}/labels/${label}/canary`,
      options,
      { body: { canary }, repeatable: true },
    );
  }

  /** Makes an agent the tenant's default (`false`: not the default). Harmless to repeat. */
  setDefault(
    agent: string,
    isDefault: boolean,
    options: CallOptions = {},
  ): Promise<AgentDefaultView> {
    return this.transport.send(
      isDefault ? 'PUT' : 'DELETE',
      pathOf`agent-configs/${agent}/default`,
      options,
      { repeatable: true },
    );
  }
}
