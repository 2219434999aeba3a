import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { type DomainContracts } from '../define.js';
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

/** The agent commands, sb.cmd.orchestrator.agent.<action>: the gateway's HTTP API sends them. */
const agent = commandGroup('sb.cmd.orchestrator.agent', { callers: ['gateway'] });

export const AgentCreate = agent.command('create', {
  request: AgentCreateRequest,
  response: AgentView,
  description: `Creates an agent in the acting user's tenant with its first version, labelled \`production\`. A name taken in the tenant is CONFLICT. ${WRITERS} Audited.`,
});

export const AgentList = agent.query('list', {
  request: NoArguments,
  response: z.object({ agents: z.array(AgentView) }),
  description: "The agents of the acting user's tenant, by name.",
});

export const AgentGet = agent.query('get', {
  request: byName,
  response: AgentView,
  description:
    "One agent of the acting user's tenant and its labels; another tenant's is NOT_FOUND.",
});

export const AgentVersionCreate = agent.command('version.create', {
  request: AgentVersionCreateRequest,
  response: AgentVersionView,
  description: `Stores a new immutable version of an agent (the next number); no label moves. ${WRITERS} Audited.`,
});

export const AgentVersionList = agent.query('version.list', {
  request: byName,
  response: z.object({ versions: z.array(AgentVersionView) }),
  description: "An agent's versions, newest first. NOT_FOUND as AgentGet.",
});

export const AgentVersionGet = agent.query('version.get', {
  request: z.object({ agent: AgentName, version: Version }).strict(),
  response: AgentVersionView,
  description: 'One version of an agent. NOT_FOUND as AgentGet, or for a version it does not have.',
});

export const AgentVersionCompare = agent.query('version.diff', {
  request: z.object({ agent: AgentName, from: Version, to: Version }).strict(),
  response: AgentVersionDiff,
  description:
    'What changed in the configuration from one version of an agent to another: one entry per differing field. NOT_FOUND as AgentVersionGet.',
});

export const AgentLabelMove = agent.command('label.move', {
  request: AgentLabelMoveRequest,
  response: AgentLabelMoved,
  idempotency: 'idempotent',
  description: `Points a label of an agent at one of its versions (creating the label if new): the release, and the rollback when it points back. Tasks resolving the label from then on run that version; tasks already started keep theirs. ${WRITERS} Audited (\`agent.label.move\`, from and to), unless it pointed there already.`,
});

export const AgentDefaultSet = agent.command('default.set', {
  request: AgentDefaultSetRequest,
  response: AgentDefaultView,
  idempotency: 'idempotent',
  description: `Makes an agent the tenant's default (\`isDefault: false\`: makes it not the default, leaving the tenant none; another agent stays so): a task that names no agent runs its \`production\` label, its stamp marked \`byDefault\`. NOT_FOUND as AgentGet. ${WRITERS} Audited (\`agent.default.set\`) when it changes.`,
});

export const AgentCanarySet = agent.command('label.canary', {
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
