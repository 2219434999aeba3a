import { Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { batchesOf, TaskEventPublisher } from './task-event.publisher.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe(TaskEventPublisher.name, () => {
  it('publishes on core NATS, a message over the server limit in halves, each event once', () => {
    const sent: number[][] = [];
    const bus = {
      publish: (_c: unknown, _t: unknown, b: Tasks.TaskEventBatch) => {
        if (b.events.length > 2) throw new Error('MAX_PAYLOAD_EXCEEDED');
        sent.push(b.events.map((e) => e.seq));
      },
    } as unknown as NatsBus;
    const events = [1, 2, 3, 4].map(
      (seq) =>
        ({
          taskId: TASK_ID,
          seq,
          name: 'orchestrator.planning.started',
          at: new Date().toISOString(),
          source: 'orchestrator',
          data: { planner: 'builtin', iteration: seq },
        }) as Tasks.TaskEvent,
    );
    new TaskEventPublisher(bus, { warn: () => undefined } as unknown as Logger).publish(
      TASK_ID,
      'default',
      events,
    );
    expect(sent).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe(batchesOf.name, () => {
  const named = (...names: string[]) =>
    names.map((name, i) => ({ name, seq: i + 1 }) as unknown as Tasks.TaskEvent);
  const shape = (batches: Tasks.TaskEvent[][]) => batches.map((b) => b.map((e) => e.seq));

  it('ends a message after each run of approval requests, so its subject names the request', () => {
    const events = named(
      'orchestrator.planning.completed',
      'orchestrator.approval.requested',
      'orchestrator.approval.requested',
      'orchestrator.step.dispatching',
      'orchestrator.approval.requested',
    );
    expect(shape(batchesOf(events))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(batchesOf(events).map((b) => b.at(-1)?.name)).toEqual([
      'orchestrator.approval.requested',
      'orchestrator.approval.requested',
    ]);
  });

  it('keeps other events of one turn in one message, up to the per-message maximum', () => {
    const max = Tasks.MAX_EVENTS_PER_MESSAGE;
    const many = named(...Array.from({ length: max + 3 }, () => 'orchestrator.step.completed'));
    expect(batchesOf(many).map((b) => b.length)).toEqual([max, 3]);
    expect(shape(batchesOf(named('orchestrator.task.started')))).toEqual([[1]]);
  });
});
