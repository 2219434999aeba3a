import { Agents, parseOrThrow } from '@switchboard/contracts';
import { z } from 'zod';
import type { RelayInput } from '../http/http-relay.js';

/** `GET /agent-configs/{name}/diff`'s query string: the two version numbers compared. */
export const AgentDiffQuery = z
  .object({
    from: z.coerce.number().int().positive(),
    to: z.coerce.number().int().positive(),
  })
  .strict();
export type AgentDiffQuery = z.infer<typeof AgentDiffQuery>;

/** A version number in a path. */
export const VersionParam = z.coerce.number().int().positive();

export const AgentNameParam = Agents.AgentName;
export const AgentLabelParam = Agents.AgentLabelName;

/** An agent's label as a path names it (`…/{name}/labels/{label}`): the agent checked first. */
export const agentLabelOf = (name: string | undefined, label: string | undefined) => ({
  agent: parseOrThrow(AgentNameParam, name, 'agent name'),
  label: parseOrThrow(AgentLabelParam, label, 'label'),
});

/** A label route's command (`PUT …/{name}/labels/{label}[/…]`): its body, for the label it names. */
export const labelledBody = <B extends object>({ params, body }: RelayInput<B>) => ({
  ...body,
  ...agentLabelOf(params['name'], params['label']),
});
