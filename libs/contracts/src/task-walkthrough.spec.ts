import { CATALOGUE } from './catalogue.js';
import { TASK_WALKTHROUGH } from './task-walkthrough.js';
import { commandOfSubject, eventOfSubject } from './traffic.js';
import * as Tasks from './task/index.js';

describe('TASK_WALKTHROUGH', () => {
  const contracts = TASK_WALKTHROUGH.flatMap((h) => (h.contract ? [h.contract] : []));

  it('names only contracts of the catalogue, each once', () => {
    const all = [...CATALOGUE.commands, ...CATALOGUE.events];
    for (const c of contracts) expect(all).toContain(c);
    expect(new Set(contracts).size).toBe(contracts.length);
  });

  it("names as a hop's sender only one of its contract's senders", () => {
    for (const { contract, by } of TASK_WALKTHROUGH)
      if (contract && by)
        expect(contract.kind === 'command' ? contract.callers : contract.producers).toContain(by);
  });

  it('starts and ends at the HTTP edge, and every hop is either a contract or an actor', () => {
    expect(TASK_WALKTHROUGH[0]?.actor).toBe('client → gateway');
    expect(TASK_WALKTHROUGH.at(-1)?.actor).toBe('gateway → client');
    for (const hop of TASK_WALKTHROUGH)
      expect(Boolean(hop.contract) !== Boolean(hop.actor)).toBe(true);
  });

  it('has the submission as the first NATS hop, before any event of the task', () => {
    expect(contracts[0]).toBe(Tasks.TaskSubmitted);
    expect(contracts.indexOf(Tasks.TaskEventPublished)).toBeGreaterThan(0);
  });
});

describe('eventOfSubject and commandOfSubject', () => {
  it('find the contract of a concrete subject', () => {
    expect(eventOfSubject('sb.evt.task.t-1.orchestrator.task.completed')).toBe(
      Tasks.TaskEventPublished,
    );
    expect(eventOfSubject('sb.audit.tool.t-1.acme')?.template).toBe(
      'sb.audit.{category}.{taskId}.{tenantId}',
    );
    expect(eventOfSubject('sb.task.submit')).toBe(Tasks.TaskSubmitted);
    expect(eventOfSubject('sb.cmd.tools.call.t-1')).toBeUndefined();
    expect(commandOfSubject('sb.cmd.tools.call.t-1')?.subject).toBe('sb.cmd.tools.call.{taskId}');
    expect(eventOfSubject('sb.nothing.here')).toBeUndefined();
  });
});
