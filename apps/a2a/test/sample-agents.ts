import { repoRoot, type ServiceHandle, startService } from '@switchboard/testing';
import { join } from 'node:path';

/** The sample agents' entry point, run from source with tsx (they are examples, not built services). */
export const SAMPLE_AGENT_ENTRY = join(repoRoot, 'examples/a2a-agents/src/main.ts');

export interface AgentStats {
  requests: number;
  methods: Record<string, number>;
  faultsInjected: number;
  executed: number;
  cancelled: string[];
}

/** Starts a real sample A2A agent process on a free loopback port and waits until it answers. */
export function startSampleAgent(
  name: string,
  env: Record<string, string>,
  logDir?: string,
): Promise<ServiceHandle> {
  return startService(
    `agent-${name}`,
    { NODE_OPTIONS: '--import tsx', ...env },
    { entry: SAMPLE_AGENT_ENTRY, ...(logDir ? { logDir } : {}) },
  );
}

export async function agentStats(agent: ServiceHandle): Promise<AgentStats> {
  const r = await fetch(`${agent.url}/stats`);
  return (await r.json()) as AgentStats;
}
