import { A2A_CONTRACTS } from './a2a/a2a.contracts.js';
import { AGENT_CONTRACTS } from './agent/agent.contracts.js';
import { APPROVAL_CONTRACTS } from './approval/approval.contracts.js';
import { AUDIT_CONTRACTS } from './audit/audit.contracts.js';
import { DeadLettered } from './dead-letter.contracts.js';
import { EVALUATION_CONTRACTS } from './evaluation/evaluation.contracts.js';
import type { CommandContract, EventContract, StreamContract } from './define.js';
import { HealthStatus } from './health/health.contracts.js';
import { ALL_STREAMS } from './streams.js';
import { SCHEDULE_CONTRACTS } from './schedule/schedule.contracts.js';
import { TASK_CONTRACTS } from './task/task.contracts.js';
import { TOOLS_CONTRACTS } from './tools/tools.catalogue.js';
import { WEBHOOK_CONTRACTS } from './webhook/webhook.contracts.js';
import { XMPP_CONTRACTS } from './xmpp/xmpp.contracts.js';

const DOMAINS = [
  TASK_CONTRACTS,
  APPROVAL_CONTRACTS,
  TOOLS_CONTRACTS,
  AUDIT_CONTRACTS,
  A2A_CONTRACTS,
  XMPP_CONTRACTS,
  WEBHOOK_CONTRACTS,
  SCHEDULE_CONTRACTS,
  AGENT_CONTRACTS,
  EVALUATION_CONTRACTS,
];

/**
 * Every contract of the platform, for docs/subjects.md, the AsyncAPI document and uniqueness tests.
 * Each domain folder keeps its own list; add new contracts there.
 */
export const CATALOGUE: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
  streams: readonly StreamContract[];
} = {
  commands: [...DOMAINS.flatMap((d) => d.commands), ...Object.values(HealthStatus)],
  events: [...DOMAINS.flatMap((d) => d.events), DeadLettered],
  streams: ALL_STREAMS,
};
