import {
  atCoreWidth,
  type PrivateProsody,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startPrivateProsody,
  startService,
  startStack,
  tempDir,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export const AGENT_DOMAIN = 'agents.switchboard.local';

/** A sample A2A agent, its kind (skill) and the pause between its working steps. */
export interface AgentSpec {
  name: string;
  kind: 'researcher' | 'writer';
  stepDelayMs?: number;
}

export interface AgentsStack {
  stack: Stack;
  prosody: PrivateProsody;
  agents: Record<string, ServiceHandle>;
  stop(): Promise<void>;
}

/**
 * The whole platform (all six services) with sample A2A agents reachable only over XMPP: a private
 * Prosody, each agent on a unix socket behind its own bridge (server mode), the platform's bridge
 * mapping their hosts (SERVICE_MAP), as `npm run up` runs them.
 */
export async function startAgentsStack(
  specs: AgentSpec[],
  env: Record<string, Record<string, string>> = {},
  /** The six services as one cell (the users' shape, the default) or a process each. */
  shape: 'cell' | 'services' = 'cell',
): Promise<AgentsStack> {
  const logDir = tempDir('agents-stack');
  const socketDir = tempDir('agents-stack-sockets');
  const accounts = Object.fromEntries(
    ['platform', ...specs.map((s) => s.name)].map((n) => [n, `pw-${n}-${randomUUID()}`]),
  );
  const prosody = await startPrivateProsody({
    accounts: Object.entries(accounts).map(([user, password]) => ({
      user,
      host: AGENT_DOMAIN,
      password,
    })),
  });
  const xmpp = (user: string) => ({
    AZTM_JID: `${user}@${AGENT_DOMAIN}`,
    AZTM_PASSWORD: accounts[user] ?? '',
    AZTM_HOST: '127.0.0.1',
    AZTM_PORT: String(prosody.c2sPort),
    AZTM_TLS: 'starttls',
    XMPP_BRIDGE_CA_FILE: prosody.caFile,
  });
  const hostOf = (name: string) => `${name}.${AGENT_DOMAIN}`;
  const agents: Record<string, ServiceHandle> = {};
  const processes: ServiceHandle[] = [];
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.stop();
    await Promise.allSettled(processes.map((p) => p.stop()));
    await prosody.stop();
  };
  try {
    // Each agent and its bridge, a pair at a time per core (the bridge reaches its agent per request).
    await atCoreWidth(specs, async (spec) => {
      const socket = join(socketDir, `${spec.name}.sock`);
      const agent = await startService(
        `agent-${spec.name}`,
        {
          NODE_OPTIONS: '--import tsx',
          AGENT_KIND: spec.kind,
          PUBLIC_URL: `http://${hostOf(spec.name)}`,
          AGENT_SOCKET: socket,
          ...(spec.stepDelayMs !== undefined
            ? { AGENT_STEP_DELAY_MS: String(spec.stepDelayMs) }
            : {}),
        },
        { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts'), logDir },
      );
      agents[spec.name] = agent;
      processes.push(agent);
      processes.push(
        await startService(
          `bridge-${spec.name}`,
          {
            ...xmpp(spec.name),
            XMPP_BRIDGE_NATS_COMMANDS: 'false',
            XMPP_BRIDGE_ALLOWED_JIDS: `platform@${AGENT_DOMAIN}`,
            XMPP_BRIDGE_HTTP_TARGET: `http://${hostOf(spec.name)}`,
            XMPP_BRIDGE_HTTP_TARGET_SOCKET: socket,
          },
          { entry: join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js'), logDir },
        ),
      );
    });
    const serviceMap = specs.map((s) => `${hostOf(s.name)}=${s.name}@${AGENT_DOMAIN}`).join(',');
    stack = await startStack({
      shape,
      services: ['mcp-tools', 'audit', 'orchestrator', 'xmpp-bridge', 'a2a', 'gateway'],
      env: {
        ...env,
        'xmpp-bridge': {
          ...xmpp('platform'),
          SERVICE_MAP: serviceMap,
          AZTM_SERVER_MODE: 'false',
          ...env['xmpp-bridge'],
        },
        a2a: {
          SERVICE_MAP: serviceMap,
          A2A_AGENTS: specs.map((s) => `${s.name}=http://${hostOf(s.name)}`).join(','),
          ...env['a2a'],
        },
      },
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { stack, prosody, agents, stop };
}
