import { AgentCard } from '@a2a-js/sdk';
import type { A2a, Tools } from '@switchboard/contracts';

/**
 * The card an authenticated caller gets (GetExtendedAgentCard; 0.3: agent/getAuthenticatedExtendedCard):
 * the public card plus a skill per tool and per remote agent this caller may use — their role's
 * manifest (mcp-tools) and the agents a2a's policy lets them delegate to. The public card names no
 * tool: what a task may use depends on who asks. Agents a2a cannot reach now are left out; when a2a
 * does not answer, the card lists the tools alone.
 */
export function extendedAgentCard(
  card: AgentCard,
  tools: readonly Tools.ManifestTool[],
  agents: readonly A2a.AgentSummary[],
): AgentCard {
  const toolSkills = tools.map((t) => ({
    id: `tool:${t.name}`,
    name: t.title || t.name,
    description: `${t.description}${t.approval ? ' (each call waits for a person’s decision)' : ''}`,
    tags: ['tool', t.provider, ...(t.approval ? ['approval'] : [])],
  }));
  const agentSkills = agents
    .filter((a) => a.available)
    .map((a) => ({
      id: `agent:${a.name}`,
      name: a.name,
      description: a.description || `the remote agent ${a.name}`,
      tags: ['agent', a.transport, ...a.skills.map((s) => s.id).slice(0, 10)],
    }));
  const json = AgentCard.toJSON(card) as { skills?: unknown[] };
  return AgentCard.fromJSON({
    ...json,
    description: `${card.description} For you: ${toolSkills.length} tools and ${agentSkills.length} remote agents, listed as skills.`,
    skills: [...(json.skills ?? []), ...toolSkills, ...agentSkills],
  });
}
