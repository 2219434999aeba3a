import { Delegate, DelegationProgress } from './a2a/a2a.contracts.js';
import { AuditAppend, AuditChained, AuditRecorded } from './audit/audit.contracts.js';
import type { CommandContract, EventContract, ServiceName } from './define.js';
import {
  TaskCancel,
  TaskCancelRequested,
  TaskEventPublished,
  TaskEvents,
  TaskSubmitted,
} from './task/task.contracts.js';
import { MemorySearch } from './tools/memory.contracts.js';
import { ToolsCall, ToolsManifest } from './tools/tool.contracts.js';
import { HttpRequest, HttpStream } from './xmpp/xmpp.contracts.js';

/**
 * One hop of a task's way through the platform. A hop on NATS names its contract: the subject, who
 * sends it, who takes it and how it is delivered come from there (docs/architecture.md is generated
 * from this list, and an end-to-end test checks that a demo task makes exactly its unconditional
 * NATS hops, no other).
 */
export interface WalkthroughHop {
  /** The NATS contract of the hop; absent for the HTTP edge (the client and the gateway). */
  readonly contract?: CommandContract | EventContract;
  /** Which of the contract's senders sends it on a task's way (all of them when absent). */
  readonly by?: ServiceName;
  /** Who acts, for a hop with no contract. */
  readonly actor?: string;
  /** When the hop happens; absent: on every task (the demo task makes it). */
  readonly when?: string;
  /** What happens, in the product's words. */
  readonly what: string;
}

/** A task from the request to the end of its stream, in order. */
export const TASK_WALKTHROUGH: readonly WalkthroughHop[] = [
  {
    actor: 'client → gateway',
    what: "`POST /orchestrate/stream` (or `/ag-ui/events`, A2A `SendStreamingMessage`, MCP): the gateway authenticates the caller, validates the body against `Tasks.TaskRequest` (unknown fields rejected), records the task's owner, starts following the task's events, then submits it.",
  },
  {
    contract: TaskSubmitted,
    by: 'gateway',
    what: 'The submission (`Nats-Msg-Id` = task id, so a retried submit is stored once). A durable pull consumer hands it to one orchestrator replica, which claims the task row; the submission is acked only when the task is terminal (or waits for approvals: then the orchestrator submits it again once they are decided, docs/approvals.md), so a replica that dies has it redelivered to another, which resumes from the persisted steps.',
  },
  {
    contract: ToolsManifest,
    by: 'orchestrator',
    what: "The tools this caller may use for this task (role, admin-only, provider authorization, the request's `tool_constraints`): what the planner may choose from.",
  },
  {
    contract: MemorySearch,
    by: 'orchestrator',
    when: 'when the task was offered memory.recall and speaks of the user\'s own things ("my …")',
    what: "Long-term memory's recall (docs/memory.md): the task's text searched in what its user may read of the memory store, once per run, offered to every planning round as context; a store that does not answer within `MEMORY_RECALL_TIMEOUT_MS` leaves the task planned without it.",
  },
  {
    contract: TaskEventPublished,
    what: "Every transition as a task event with a gap-free per-task `seq`, journaled (`TaskEvent` rows) by the statement of the claim, round, step, pause or end that made it due, together with the webhook deliveries it calls for (docs/webhooks.md), and published live once that statement committed: the events of one commit as one message. The gateway streams them to the client (`id: <seq>`, resumable with `Last-Event-ID`); every audit replica hears them live (no queue group) and writes a task's log when it chains the task's end record (docs/task-logs.md); `SB_TASK_EVENTS` still captures them for `switchboard tail`, and no durable consumer reads it.",
  },
  {
    contract: TaskEvents,
    when: "when a live event is missed (a gap outlives its repair wait), a stream resumes, or a task's log misses events at its end",
    what: "The task's journal, a page at a time, from any orchestrator replica: the gateway fills a gap in the live events, or replays what a client resuming with `Last-Event-ID` missed, on whichever gateway replica it reconnects to; the audit service reads, as the task's owner, what it did not hear of a task whose end record it chained.",
  },
  {
    contract: ToolsCall,
    by: 'orchestrator',
    when: 'for each tool step',
    what: "The tool call, with the idempotency key `taskId:actionId`: mcp-tools checks it against the same access rule as the manifest, validates input and output against the tool's JSON Schemas, injects credentials, enforces the timeout, and runs a non-idempotent call at most once per key. The orchestrator sends it again with the same key after an outage, within `TASK_OUTAGE_WAIT_MS`.",
  },
  {
    contract: Delegate,
    when: 'for each agent step',
    what: "A delegation to a remote agent: the a2a service checks the per-role agent policy, reads the agent's card and talks A2A to it, with retries and a circuit breaker per agent; keyed by task and step, so a repeat is answered with its outcome instead of asking the agent twice.",
  },
  {
    contract: DelegationProgress,
    when: 'for each agent step',
    what: "The delegation's progress, which the orchestrator turns into the task events `a2a.delegation.started` / `.status` / `.result`.",
  },
  {
    contract: HttpRequest,
    when: "for an agent whose host is in `SERVICE_MAP` (A2A's plain requests)",
    what: 'The whole HTTP request to the xmpp-bridge, which sends it as a XEP-0332 `req` IQ to the mapped JID and returns the `resp`.',
  },
  {
    contract: HttpStream,
    when: "for an agent whose host is in `SERVICE_MAP` (A2A's streamed requests)",
    what: 'The same, with the response coming back in parts as the agent writes it (SSE events are not held back).',
  },
  {
    contract: AuditRecorded,
    when: "when a tool call fails or is refused, or a service without a journal records what it did (a delegation, a refusal at the gateway; an older gateway, a task's submission)",
    what: "Audit records of a tool call that failed or was refused, and of services without a journal (`Nats-Msg-Id` = record id); the submission's rides in the submission and a task's successful calls' records come back in the call's reply (the next hop). The audit service consumes them in batches, stores each record id at most once, chains each row's SHA-256 to its predecessor's (`Audit.AuditVerify` recomputes the chain) and acks only after the commit; `prevHash` is unique, so two replicas cannot fork the chain.",
  },
  {
    contract: AuditAppend,
    what: "The audit records the task's transitions owe (its submission's, which the gateway put in the submission, with its claim; each successful tool call's, handed back by mcp-tools in the call's reply, with its step; its end's), stored in `JournalOutbox` by the transition's own statement and relayed after the commit, a task's records before its end held for the end's, those of several commits in one request. The audit service chains them in the same append as what it consumes at that moment, each record id once however often it is sent; what a replica that died owed is relayed by the replica that resumes its task, with the task's end, or else by any replica's sweep.",
  },
  {
    contract: AuditChained,
    what: 'Each relayed record, once chained, on core NATS: what `switchboard tail`, a tenant operator and the Live view read (`SB_AUDIT_CHAINED` keeps it for a late tail).',
  },
  {
    contract: TaskCancel,
    when: 'when a user cancels the task',
    what: 'The gateway asks the orchestrator to cancel (after checking the caller owns the task).',
  },
  {
    contract: TaskCancelRequested,
    when: 'when the task is cancelled or runs out of time',
    what: "Every replica of every service stops the task's remote work: its tool calls and delegations.",
  },
  {
    actor: 'gateway → client',
    what: 'The stream ends with the terminal event (`orchestrator.task.completed`, `.failed` or `.cancelled`); a client that reconnects with `Last-Event-ID` gets what it missed from the journal of the task.',
  },
];
