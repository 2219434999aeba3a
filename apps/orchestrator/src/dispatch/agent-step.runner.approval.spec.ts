import { A2a, type Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import { InMemoryJournal } from '../tasks/journal/in-memory.journal.js';
import type { TaskJournalRepository } from '../tasks/journal/task-journal.repository.js';
import { TaskEventSequence } from '../tasks/task-event.stream.js';
import { AgentStepRunner } from './agent-step.runner.js';
import { StepDispatcher } from './step-dispatcher.js';
import type { ToolStepRunner } from './tool-step.runner.js';
import { AgentInputRequired, type DispatchContext } from './dispatch.context.js';

// Delegations under an approval (docs/approvals.md): the approval goes to a2a with the request, an
// agent's question stops the step (not a failure), and the answer is sent on the agent's own task.

const logger = createLogger({
  service: 'orchestrator',
  instance: 't',
  level: 'silent',
  pretty: false,
});
const APPROVAL = { id: randomUUID(), argsHash: 'a'.repeat(64) };
const action: Tasks.PlanAction = {
  id: 's1',
  kind: 'agent',
  target: 'billing',
  input: { message: 'pay invoice 42' },
  description: 'delegate to billing',
};

/** A bus whose Delegate replies `answer` and reports `remoteTaskId` as progress first. */
function fakeBus(answer: Partial<A2a.DelegationResult>) {
  const requests: A2a.DelegateRequest[] = [];
  let progress: ((u: A2a.DelegationUpdate) => void) | undefined;
  const bus = {
    subscribe: (_c: unknown, handler: (u: A2a.DelegationUpdate) => void) => {
      progress = handler;
      return { ready: Promise.resolve(), unsubscribe: () => undefined };
    },
    publish: () => undefined,
    request: async (_c: unknown, r: A2a.DelegateRequest) => {
      requests.push(r);
      progress?.({
        kind: 'status',
        delegationId: r.delegationId,
        agent: r.agent,
        transport: 'http',
        state: 'TASK_STATE_WORKING',
        remoteTaskId: 'remote-1',
      });
      return {
        delegationId: r.delegationId,
        agent: r.agent,
        transport: 'http',
        protocolVersion: '1.0',
        mode: 'poll',
        state: 'TASK_STATE_COMPLETED',
        remoteTaskId: 'remote-1',
        text: 'paid',
        artifacts: [],
        attempts: 1,
        durationMs: 3,
        ...answer,
      } satisfies A2a.DelegationResult;
    },
  } as unknown as NatsBus;
  return { bus, requests };
}

/** The task's journaled events, counting how often they are read back (never, under an approval). */
function storedEvents() {
  let replays = 0;
  const jetstream = {
    named: async () => {
      replays++;
      return [];
    },
  } as unknown as TaskJournalRepository;
  return { jetstream, replays: () => replays };
}

function context(approval?: DispatchContext['approval']): DispatchContext {
  const jetstream = new InMemoryJournal();
  return {
    taskId: randomUUID(),
    actor: { userId: 'ann', role: 'user' },
    constraints: undefined,
    events: new TaskEventSequence(randomUUID(), 0, 'orchestrator', jetstream, {
      tenantId: 'default',
    }),
    index: 0,
    signal: new AbortController().signal,
    timeoutMs: 60_000,
    retry: {},
    resumed: true,
    screen: () => undefined,
    ...(approval ? { approval } : {}),
  };
}

describe('AgentStepRunner under approvals', () => {
  it('sends the approval the delegation runs under to a2a', async () => {
    const { bus, requests } = fakeBus({});
    const ctx = context(APPROVAL);
    const stored = storedEvents();
    await new AgentStepRunner(bus, stored.jetstream, logger).run(
      action,
      { message: 'pay invoice 42' },
      ctx,
    );
    // Resumed on the decision: nothing was delegated before, so nothing is looked up.
    expect(stored.replays()).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ approval: APPROVAL, message: 'pay invoice 42' });
    expect(requests[0]?.continue).toBeUndefined();
  });

  it("stops on the agent's question: the step is not failed, the question is passed on", async () => {
    const { bus } = fakeBus({ state: 'TASK_STATE_INPUT_REQUIRED', text: 'Pay 1200 EUR?' });
    const ctx = context();
    const agents = new AgentStepRunner(bus, storedEvents().jetstream, logger);
    const emitted: string[] = [];
    const events = ctx.events;
    const counting = Object.assign(Object.create(events) as TaskEventSequence, {
      emit: (...args: Parameters<TaskEventSequence['emit']>) => {
        emitted.push(args[0]);
        return events.emit(...args);
      },
    });
    const run = agents.run(action, { message: 'pay invoice 42' }, ctx);
    await expect(run).rejects.toBeInstanceOf(AgentInputRequired);
    await expect(run).rejects.toMatchObject({
      question: 'Pay 1200 EUR?',
      remoteTaskId: 'remote-1',
    });
    const dispatcher = new StepDispatcher({} as ToolStepRunner, agents);
    const result = await dispatcher.dispatch(
      action,
      { message: 'pay invoice 42' },
      {
        ...ctx,
        events: counting,
      },
    );
    expect(result).toMatchObject({
      ok: false,
      inputRequired: { question: 'Pay 1200 EUR?', remoteTaskId: 'remote-1' },
    });
    expect(emitted).toContain('orchestrator.step.dispatching');
    expect(emitted).not.toContain('orchestrator.step.failed');
  });

  it("sends the person's answer on the agent's task that asked, as a delegation keyed by the answer", async () => {
    const { bus, requests } = fakeBus({});
    const answer = {
      id: randomUUID(),
      argsHash: 'b'.repeat(64),
      answer: { reply: 'yes', remoteTaskId: 'remote-1' },
    };
    const ctx = context(answer);
    const output = await new AgentStepRunner(bus, storedEvents().jetstream, logger).run(
      action,
      { message: 'pay invoice 42' },
      ctx,
    );
    expect(output).toMatchObject({ text: 'paid', remoteTaskId: 'remote-1' });
    expect(requests[0]).toMatchObject({
      approval: { id: answer.id, argsHash: answer.argsHash },
      continue: { remoteTaskId: 'remote-1', reply: 'yes' },
      idempotencyKey: `${ctx.taskId}:s1:reply:${answer.id}`,
    });
    // Sent, not followed: a2a must deliver the reply rather than read the task.
    expect(requests[0]?.remoteTaskId).toBeUndefined();
    expect(A2a.DelegateRequest.safeParse(requests[0]).success).toBe(true);
  });
});
