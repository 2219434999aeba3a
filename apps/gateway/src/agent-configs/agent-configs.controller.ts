import { Agents, parseOrThrow } from '@switchboard/contracts';
import { del, get, HttpRelay, type PathParams, post, put } from '../http/http-relay.js';
import {
  AgentDiffQuery,
  AgentNameParam,
  labelledBody,
  VersionParam,
} from './agent-config-http.schemas.js';

const nameOf = (params: PathParams) => parseOrThrow(AgentNameParam, params['name'], 'agent name');
const agentOf = ({ params }: { params: PathParams }) => ({ agent: nameOf(params) });

/**
 * Agents as versioned configurations (docs/agents.md): create, new versions, the versions and their
 * diff, labels. The orchestrator owns them and decides who may change them; this carries the call.
 * Not `/agents`: that lists the remote agents tasks delegate to.
 */
export class AgentConfigsController extends HttpRelay(
  'agent-configs',
  post('', Agents.AgentCreate, { body: Agents.AgentCreateRequest, status: 201 }),
  get('', Agents.AgentList),
  get(':name', Agents.AgentGet, { request: agentOf }),
  post(':name/versions', Agents.AgentVersionCreate, {
    body: Agents.AgentVersionCreateBody,
    status: 201,
    request: ({ params, body }) => ({ ...body, agent: nameOf(params) }),
  }),
  get(':name/versions', Agents.AgentVersionList, { request: agentOf }),
  get(':name/versions/:version', Agents.AgentVersionGet, {
    request: ({ params }) => ({
      agent: nameOf(params),
      version: parseOrThrow(VersionParam, params['version'], 'version'),
    }),
  }),
  get(':name/diff', Agents.AgentVersionCompare, {
    query: AgentDiffQuery,
    request: ({ params, query }) => ({ agent: nameOf(params), ...query }),
  }),
  put(':name/labels/:label', Agents.AgentLabelMove, {
    body: Agents.AgentLabelMoveBody,
    status: 200,
    request: labelledBody,
  }),
  put(':name/labels/:label/canary', Agents.AgentCanarySet, {
    body: Agents.AgentCanaryBody,
    status: 200,
    request: labelledBody,
  }),
  put(':name/default', Agents.AgentDefaultSet, {
    status: 200,
    request: ({ params }) => ({ agent: nameOf(params), isDefault: true }),
  }),
  del(':name/default', Agents.AgentDefaultSet, {
    status: 200,
    request: ({ params }) => ({ agent: nameOf(params), isDefault: false }),
  }),
) {}
