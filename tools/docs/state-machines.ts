// docs/state-machines.md: every explicit state machine's transition table, from its definition (the
// table the transition tests walk), so the page cannot drift from the code.
import type { StateMachine } from '@switchboard/contracts';
import { TASK_FEED } from '../../apps/gateway/src/tasks/feed/task-feed.machine.js';
import { TASK_SESSION } from '../../apps/gateway/src/tasks/session/task-session.machine.js';
import { TASK_STATE } from '../../apps/orchestrator/src/tasks/state/task-state.machine.js';
import { DELEGATION } from '../../apps/a2a/src/delegation/delegate/delegation.machine.js';
import { AGENT_STEP } from '../../apps/orchestrator/src/dispatch/agent-step.machine.js';
import { HTTP_STREAM } from '../../apps/xmpp-bridge/src/bridge/http-stream.machine.js';
import { STREAM_REQUEST } from '../../libs/messaging/src/stream-request.machine.js';
import { SCHEDULE } from '../../apps/orchestrator/src/schedules/schedule.machine.js';
import { AGENT_LABEL } from '../../apps/orchestrator/src/agent-versions/agent-label.machine.js';
import { WEBHOOK_DELIVERY } from '../../apps/orchestrator/src/webhooks/delivery/webhook-delivery.machine.js';

interface Documented {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any machine, whatever its states
  machine: StateMachine<any, any>;
  source: string;
  driver: string;
  about: string;
}

const MACHINES: Documented[] = [
  {
    machine: TASK_STATE,
    source: 'apps/orchestrator/src/tasks/state/task-state.machine.ts',
    driver:
      'TaskStateStore (`apps/orchestrator/src/tasks/state/task-state.store.ts`), the one writer of `Task.status`, for TaskRepository’s claim, delegation, step, pause, cancel, finish and abandon',
    about:
      'A task as stored (`Task.status`, with `Task.version`), whichever replica reads it. Each transition is one PostgreSQL statement that compares and sets the state and version and makes, in the same transaction, the writes the transition owes (the outcome, the step under way, the wait): of two replicas moving the same row, one does and the other is told what it found, never overwriting it. A task nobody stored yet is `queued` implicitly (its submission on the stream); its first transition creates its row. The API shows `cancelling` as the status the task had when the cancel came, `waiting_thread` as `queued` and `waiting_remote` as `running` (docs/api.md). A task waiting for its thread is stored `waiting_thread` by the thread gate, with its place in line and in its transaction, without its text until its claim screens it (reads take it from its `ThreadWaiter` submission); a task waiting for a remote agent is stored `waiting_remote` as its delegation starts, and `running` again in the statement that stores the delegation’s step; its replica holds the delegation open meanwhile, and a replica resuming it after a crash finds it so and delegates again, attached to the same delegation (the a2a service answers a repeat once). This is the one machine of a task: while it is `running`, the replica holding it runs it (RunTaskUseCase in `apps/orchestrator/src/tasks/run-task`: claim, read its tools, plan a round, dispatch its steps, pause or finish), and those steps are the runner’s code, not states: nothing outside the replica sees them, and a replica resuming the task after a crash starts from the stored state and replays its stored rounds and steps.',
  },
  {
    machine: AGENT_STEP,
    source: 'apps/orchestrator/src/dispatch/agent-step.machine.ts',
    driver: 'DelegationStep (`apps/orchestrator/src/dispatch/delegation.step.ts`)',
    about:
      'One delegation step of a task in the orchestrator: the request to the a2a service, its progress relayed as `a2a.delegation.*` events through the output guardrail, and the answer checked.',
  },
  {
    machine: TASK_SESSION,
    source: 'apps/gateway/src/tasks/session/task-session.machine.ts',
    driver:
      'TaskSession (`apps/gateway/src/tasks/session/task-session.ts`), opened by TaskSessions',
    about:
      'One task conversation in the gateway, the same on every edge (`/orchestrate` and its stream, `/tasks/{id}/events`, AG-UI, A2A, MCP, the console): the stream slot and the subscription taken before the task is submitted, its events, the edge’s timeout, approval pauses and decisions, and the moment everything is given back. Each edge only translates what the session yields into its protocol.',
  },
  {
    machine: TASK_FEED,
    source: 'apps/gateway/src/tasks/feed/task-feed.machine.ts',
    driver: 'TaskFeedSession (`apps/gateway/src/tasks/feed/task-feed.session.ts`)',
    about:
      'One reader’s feed of a task’s events in the gateway (SSE, AG-UI, A2A streams, MCP progress): events in seq order from the live subscription and the stored stream, and what the feed does when its next event does not come.',
  },
  {
    machine: DELEGATION,
    source: 'apps/a2a/src/delegation/delegate/delegation.machine.ts',
    driver: 'DelegationDriver (`apps/a2a/src/delegation/delegate/delegation.driver.ts`)',
    about:
      'One delegation to a remote agent in the a2a replica running it. Its log lines (`delegation finished`, `delegation failed`) carry the phases it went through.',
  },
  {
    machine: HTTP_STREAM,
    source: 'apps/xmpp-bridge/src/bridge/http-stream.machine.ts',
    driver: 'HttpStreamResponder (`apps/xmpp-bridge/src/bridge/http-stream.responder.ts`)',
    about:
      'One streamed HTTP exchange (`sb.cmd.xmpp.http.stream`) in the platform bridge that took it: the parts it sends back to the caller’s inbox, in `seq` order, as XMPP delivers the peer’s response.',
  },
  {
    machine: STREAM_REQUEST,
    source: 'libs/messaging/src/stream-request.machine.ts',
    driver:
      'StreamRequestCall (`libs/messaging/src/stream-request.call.ts`), behind `NatsBus.requestStream`',
    about:
      'One streamed request from its caller’s side (a2a’s streaming delegations through the bridge): its parts handed out in `seq` order within the timeouts, and the cancel sent when the caller gives up on a responder that may still be at work.',
  },
  {
    machine: WEBHOOK_DELIVERY,
    source: 'apps/orchestrator/src/webhooks/delivery/webhook-delivery.machine.ts',
    driver:
      'the orchestrator’s DeliverWebhooksUseCase and DeliveryAttempt (`apps/orchestrator/src/webhooks/deliver-webhooks`), RedeliverWebhookUseCase and DeleteWebhookUseCase',
    about:
      'One task event for one webhook (docs/webhooks.md). The state is stored (`WebhookDelivery.status`): every replica drives the same row, each change one conditional statement that names the state it leaves, so a delivery is leased, sent and settled by one replica at a time and survives any restart.',
  },
  {
    machine: SCHEDULE,
    source: 'apps/orchestrator/src/schedules/schedule.machine.ts',
    driver:
      'the orchestrator’s FireSchedulesUseCase (`apps/orchestrator/src/schedules/fire-schedules`), PauseScheduleUseCase and ResumeScheduleUseCase',
    about:
      'A task run on a cron schedule or once at a time (docs/schedules.md). The state is stored (`Schedule.status`): the tickers of every replica claim only active rows (`FOR UPDATE SKIP LOCKED`), and a pause or resume is one conditional update naming the state it leaves.',
  },
  {
    machine: AGENT_LABEL,
    source: 'apps/orchestrator/src/agent-versions/agent-label.machine.ts',
    driver:
      'the orchestrator’s CreateAgentUseCase and MoveAgentLabelUseCase (`apps/orchestrator/src/agent-versions`)',
    about:
      'A label of an agent (`production`, `staging`, any other) pointing at one of its versions (docs/agents.md). Stored as an `AgentLabel` row, read and written under the agent’s row lock, so each move’s audit record names the version it really left. A move to an older version is the rollback.',
  },
];

export function stateMachinesMd(): string {
  const out = [
    '# State machines',
    '',
    '<!-- Generated from the machine definitions by `npm run docs:generate`; do not edit by hand. -->',
    '',
    'Each machine is a `StateMachine` (`libs/contracts/src/state-machine.ts`): its states, the events that',
    'move it, and nothing else. A state that does not take an event refuses it, naming both; each table',
    'below is the definition its transition tests walk.',
  ];
  for (const { machine, source, driver, about } of MACHINES) {
    const { name, initial, final } = machine.definition;
    out.push(
      '',
      `## ${name.charAt(0).toUpperCase()}${name.slice(1)}`,
      '',
      about,
      '',
      `Defined in \`${source}\`, driven by ${driver}. Starts in \`${initial}\`; ends in ${final.map((s) => `\`${s}\``).join(' or ')}.`,
      '',
      machine.markdown(),
    );
  }
  return out.join('\n') + '\n';
}
