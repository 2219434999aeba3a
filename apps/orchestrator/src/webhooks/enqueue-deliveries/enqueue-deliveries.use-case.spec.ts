import { describe, expect, it } from '@jest/globals';
import type { Tasks, Webhooks } from '@switchboard/contracts';
import type {
  EventToMatch,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import type { WebhookMetrics } from '../webhook.metrics.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries.use-case.js';

// The matching itself is one SQL statement: test/webhook-enqueue.int-spec.ts runs it on PostgreSQL.
const T1 = '11111111-1111-4111-8111-111111111111';

const event = (seq: number, name: string): Tasks.TaskEvent =>
  ({
    taskId: T1,
    seq,
    name,
    at: '2026-11-25T10:00:00.000Z',
    source: 'orchestrator',
    data: { text: 'a "quoted" line\nand é' },
  }) as never;

function setup(stored = 0) {
  const calls: { events: readonly EventToMatch[]; giveUpAt: Date; now: Date | undefined }[] = [];
  const deliveries = {
    enqueueMatching: async (events: readonly EventToMatch[], giveUpAt: Date, now?: Date) => {
      calls.push({ events, giveUpAt, now });
      return stored;
    },
  } as unknown as WebhookDeliveryRepository;
  let counted = 0;
  const metrics = { enqueued: { inc: (n: number) => (counted += n) } } as unknown as WebhookMetrics;
  const sut = new EnqueueDeliveriesUseCase(deliveries, metrics, { WEBHOOK_RETRY_FOR_MS: 60_000 });
  return { sut, calls, counted: () => counted };
}

describe(EnqueueDeliveriesUseCase.name, () => {
  it('asks for each event once, with the webhook kinds that want it and the give-up time', async () => {
    const { sut, calls, counted } = setup(4);
    const now = new Date('2026-11-25T10:00:00.000Z');
    const item = {
      taskId: T1,
      tenantId: 'acme',
      userId: 'ann',
      events: [
        event(1, 'orchestrator.task.started'),
        event(2, 'orchestrator.approval.requested'),
        event(3, 'orchestrator.task.completed'),
      ],
    };
    // The same message twice in a batch (a redelivery beside the original): each event once.
    expect(await sut.execute([item, item], now)).toBe(4);
    expect(counted()).toBe(4);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.giveUpAt).toEqual(new Date(now.getTime() + 60_000));
    expect(call!.events.map((e) => [e.seq, e.name, e.kinds, e.tenantId, e.userId])).toEqual([
      [1, 'orchestrator.task.started', ['*'], 'acme', 'ann'],
      [2, 'orchestrator.approval.requested', ['approval.requested', '*'], 'acme', 'ann'],
      [3, 'orchestrator.task.completed', ['ended', '*'], 'acme', 'ann'],
    ]);
  });

  it('writes the body around the owner and webhook id exactly as the payload serialises', async () => {
    const { sut, calls } = setup();
    const ended = event(3, 'orchestrator.task.failed');
    await sut.execute([{ taskId: T1, events: [ended] }]);
    const [match] = calls[0]!.events;
    expect(match).toMatchObject({ kinds: ['ended', '*'], tenantId: undefined, userId: undefined });
    // What the statement puts between head and tail (to_json of the row's values).
    const middle = (webhookId?: string) =>
      `,"tenantId":"acme","userId":"ann"${webhookId ? `,"webhookId":"${webhookId}"` : ''}`;
    const payload = (webhookId?: string): Webhooks.WebhookPayload => ({
      type: ended.name,
      timestamp: ended.at,
      data: {
        taskId: T1,
        tenantId: 'acme',
        userId: 'ann',
        ...(webhookId ? { webhookId } : {}),
        event: ended,
      },
    });
    expect(match!.head + middle() + match!.tail).toBe(JSON.stringify(payload()));
    const sub = '00000001-0000-4000-8000-000000000000';
    expect(match!.head + middle(sub) + match!.tail).toBe(JSON.stringify(payload(sub)));
  });

  it('stores and counts nothing for a batch without events', async () => {
    const { sut, calls, counted } = setup(0);
    expect(await sut.execute([{ taskId: T1, events: [] }])).toBe(0);
    expect(calls[0]!.events).toEqual([]);
    expect(counted()).toBe(0);
  });
});
