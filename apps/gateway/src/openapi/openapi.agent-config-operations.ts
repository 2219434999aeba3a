import { Agents } from '@switchboard/contracts';
import { z } from 'zod';
import { AgentDiffQuery } from '../agent-configs/agent-config-http.schemas.js';
import { created, listOf, ok, requiredBody, serviceErrors } from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const name = { name: { schema: Agents.AgentName, description: 'The agent’s name in the tenant.' } };
const version = {
  version: { schema: z.number().int().positive(), description: 'A version number (1, 2, …).' },
};
const label = {
  label: {
    schema: Agents.AgentLabelName,
    description: 'A label: `production`, `staging`, any other.',
  },
};

/** Setting and clearing the tenant's default: one resource, the same parameters, answer and errors. */
function defaultOperation(
  method: 'put' | 'delete',
  summary: string,
  description: string,
): UntaggedOperation {
  return {
    method,
    path: '/agent-configs/{name}/default',
    summary,
    description,
    pathParams: name,
    responses: ok('The default now.', Agents.AgentDefaultView),
    errors: serviceErrors(400, 403, 404),
  };
}

const SEE = 'See docs/agents.md.';
const ADMINS = "An admin's of the tenant (anyone else: 403).";
const OF_TENANT = "An agent of the caller's tenant; another tenant's is 404.";

/** Agents as named, versioned configurations with labels (docs/agents.md). */
export const AGENT_CONFIG_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'post',
    path: '/agent-configs',
    summary: 'Create an agent',
    description: `A named configuration (instructions, model and parameters, the tools it may offer by name or \`*\` pattern, the remote agents it may delegate to, planner limits) in the caller's tenant: its version 1, with \`production\` pointing at it. A task names it with \`agent\` (POST /orchestrate). 400 names the field; a name taken in the tenant: 409. ${ADMINS} Audited. ${SEE}`,
    ...requiredBody(Agents.AgentCreateRequest),
    responses: created('Created.', Agents.AgentView),
    errors: serviceErrors(400, 403, 409, 415),
  },
  {
    method: 'get',
    path: '/agent-configs',
    summary: 'Agents',
    description: "The agents of the caller's tenant, by name, with their labels.",
    responses: ok('By name.', listOf('agents', Agents.AgentView)),
    errors: serviceErrors(),
  },
  {
    method: 'get',
    path: '/agent-configs/{name}',
    summary: 'One agent',
    description: `Its latest version number and where each label points. ${OF_TENANT}`,
    pathParams: name,
    responses: ok('The agent.', Agents.AgentView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/agent-configs/{name}/versions',
    summary: 'New version of an agent',
    description: `The whole configuration, stored as the next version, never changed afterwards. No label moves: release it by moving a label. ${ADMINS} Audited. ${OF_TENANT}`,
    pathParams: name,
    ...requiredBody(Agents.AgentVersionCreateBody),
    responses: created('Stored.', Agents.AgentVersionView),
    errors: serviceErrors(400, 403, 404, 415),
  },
  {
    method: 'get',
    path: '/agent-configs/{name}/versions',
    summary: "An agent's versions",
    description: `Newest first. ${OF_TENANT}`,
    pathParams: name,
    responses: ok('Newest first.', listOf('versions', Agents.AgentVersionView)),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'get',
    path: '/agent-configs/{name}/versions/{version}',
    summary: 'One version of an agent',
    description: `Its configuration and the sha256 of its instructions (as a task's version stamp carries it). ${OF_TENANT} A version it does not have: 404.`,
    pathParams: { ...name, ...version },
    responses: ok('The version.', Agents.AgentVersionView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'get',
    path: '/agent-configs/{name}/diff',
    summary: 'Compare two versions',
    description: `One entry per configuration field that differs from version \`from\` to version \`to\` (a dotted path; lists compared whole). ${OF_TENANT}`,
    pathParams: name,
    query: AgentDiffQuery,
    responses: ok('The changes.', Agents.AgentVersionDiff),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'put',
    path: '/agent-configs/{name}/labels/{label}',
    summary: 'Point a label at a version',
    description: `The release, and the rollback when it points back to an older version: tasks resolving the label from now on run that version; tasks already started keep theirs. \`moved: false\` when it pointed there already. ${ADMINS} Audited (\`agent.label.move\`, from and to). ${OF_TENANT}`,
    pathParams: { ...name, ...label },
    ...requiredBody(Agents.AgentLabelMoveBody),
    responses: ok('Where it points now.', Agents.AgentLabelMoved),
    errors: serviceErrors(400, 403, 404, 415),
  },
  {
    method: 'put',
    path: '/agent-configs/{name}/labels/{label}/canary',
    summary: "Split a label's traffic with a canary",
    description: `Another version of the agent takes \`weight\` percent (1-99) of the tasks that resolve the label, chosen by a hash of the task's thread (its id when it has none): every turn of a thread runs the same version. Each task's stamp records the split, its bucket and the version it took. \`{"canary": null}\` removes the split; the label itself never moves (promote the canary by moving it). A label or version the agent lacks: 404 naming the field; the label's own version: 400. ${ADMINS} Audited (\`agent.label.canary\`). ${OF_TENANT}`,
    pathParams: { ...name, ...label },
    ...requiredBody(Agents.AgentCanaryBody),
    responses: ok('The label and its split.', Agents.AgentLabelView),
    errors: serviceErrors(400, 403, 404, 415),
  },
  defaultOperation(
    'put',
    "Make an agent the tenant's default",
    `A task of the tenant that names no agent (on any surface) runs this agent's \`production\` label from now on, its stamp marked \`byDefault\`; replacing another default answers it as \`previous\`. ${ADMINS} Audited (\`agent.default.set\`). ${OF_TENANT}`,
  ),
  defaultOperation(
    'delete',
    'Make an agent not the default',
    `When it is the tenant's default, the tenant has none afterwards: tasks naming no agent run as the platform's planner plans them. Another agent that is the default stays so. ${ADMINS} Audited when it changes. ${OF_TENANT}`,
  ),
];
