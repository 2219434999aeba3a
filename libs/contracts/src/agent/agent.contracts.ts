import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { defineCommand, defineQuery, type DomainContracts } from '../define.js';
import {
  AgentCanarySetRequest,
  AgentCreateRequest,
  AgentDefaultSetRequest,
  AgentDefaultView,
  AgentLabelView,
  AgentLabelMoved,
  AgentLabelMoveRequest,
  AgentName,
  AgentVersionCreateRequest,
  AgentVersionDiff,
  AgentVersionView,
  AgentView,
} from './agent.schemas.js';

const byName = z.object({ agent: AgentName }).strict();
const Version = z.number().int().positive();
const WRITERS = "An admin's of the tenant (anyone else: FORBIDDEN).";

export const AgentCreate = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.create',
  callers: ['gateway'],
  request: AgentCreateRequest,
  response: AgentView,
  description: `Creates an agent in the acting user's tenant with its first version, labelled \`production\`. A name taken in the tenant is CONFLICT. ${WRITERS} Audited.`,
});

export const AgentList = defineQuery({
  subject: 'sb.cmd.orchestrator.agent.list',
  callers: ['gateway'],
  request: NoArguments,
  response: z.object({ agents: z.array(AgentView) }),
  description: "The agents of the acting user's tenant, by name.",
});

export const AgentGet = defineQuery({
  subject: 'sb.cmd.orchestrator.agent.get',
  callers: ['gateway'],
  request: byName,
  response: AgentView,
  description:
    "One agent of the acting user's tenant and its labels; another tenant's is NOT_FOUND.",
});

export const AgentVersionCreate = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.version.create',
  callers: ['gateway'],
  request: AgentVersionCreateRequest,
  response: AgentVersionView,
  description: `Stores a new immutable version of an agent (the next number); no label moves. ${WRITERS} Audited.`,
});

export const AgentVersionList = defineQuery({
  subject: 'sb.cmd.orchestrator.agent.version.list',
  callers: ['gateway'],
  request: byName,
  response: z.object({ versions: z.array(AgentVersionView) }),
  description: "An agent's versions, newest first. NOT_FOUND as AgentGet.",
});

export const AgentVersionGet = defineQuery({
  subject: 'sb.cmd.orchestrator.agent.version.get',
  callers: ['gateway'],
  request: z.object({ agent: AgentName, version: Version }).strict(),
  response: AgentVersionView,
  description: 'One version of an agent. NOT_FOUND as AgentGet, or for a version it does not have.',
});

export const AgentVersionCompare = defineQuery({
  subject: 'sb.cmd.orchestrator.agent.version.diff',
  callers: ['gateway'],
  request: z.object({ agent: AgentName, from: Version, to: Version }).strict(),
  response: AgentVersionDiff,
  description:
    'What changed in the configuration from one version of an agent to another: one entry per differing field. NOT_FOUND as AgentVersionGet.',
});

export const AgentLabelMove = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.label.move',
  callers: ['gateway'],
  request: AgentLabelMoveRequest,
  response: AgentLabelMoved,
  idempotency: 'idempotent',
  description: `Points a label of an agent at one of its versions (creating the label if new): the release, and the rollback when it points back. Tasks resolving the label from then on run that version; tasks already started keep theirs. ${WRITERS} Audited (\`agent.label.move\`, from and to), unless it pointed there already.`,
});

export const AgentDefaultSet = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.default.set',
  callers: ['gateway'],
  request: AgentDefaultSetRequest,
  response: AgentDefaultView,
  idempotency: 'idempotent',
  description: `Makes an agent the tenant's default (\`isDefault: false\`: makes it not the default, leaving the tenant none; another agent stays so): a task that names no agent runs its \`production\` label, its stamp marked \`byDefault\`. NOT_FOUND as AgentGet. ${WRITERS} Audited (\`agent.default.set\`) when it changes.`,
});

export const AgentCanarySet = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.label.canary',
  callers: ['gateway'],
  request: AgentCanarySetRequest,
  response: AgentLabelView,
  idempotency: 'idempotent',
  description: `Splits a label's traffic: another version of the agent takes \`weight\` percent of the tasks resolving it, sticky per thread (null: no split). The label must exist (NOT_FOUND naming \`label\`), the version too (naming \`canary.version\`), and differ from the label's. ${WRITERS} Audited (\`agent.label.canary\`).`,
});

export const AGENT_CONTRACTS: DomainContracts = {
  commands: [
    AgentCreate,
    AgentList,
    AgentGet,
    AgentVersionCreate,
    AgentVersionList,
    AgentVersionGet,
    AgentVersionCompare,
    AgentLabelMove,
    AgentDefaultSet,
    AgentCanarySet,
  ],
  events: [],
};
