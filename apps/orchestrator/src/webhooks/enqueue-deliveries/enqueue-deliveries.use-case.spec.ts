import { describe, expect, it } from '@jest/globals';
import type { Tasks, Webhooks } from '@switchboard/contracts';
import type {
  NewDelivery,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import type { WebhookMetrics } from '../webhook.metrics.js';
import type { LiveSubscription, WebhookRepository } from '../webhook.repository.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries.use-case.js';
import type { WebhookTask, WebhookTaskDirectory } from './webhook-task.directory.js';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const S = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;

const event = (taskId: string, seq: number, name: string): Tasks.TaskEvent =>
  ({
    taskId,
    seq,
    name,
    at: '2026-11-25T10:00:00.000Z',
    source: 'orchestrator',
    data: {},
  }) as never;

function setup(tasks: Record<string, WebhookTask>, live: LiveSubscription[]) {
  const stored = new Map<string, NewDelivery>();
  const directory = {
    of: async (ids: string[]) => new Map(ids.filter((i) => tasks[i]).map((i) => [i, tasks[i]!])),
  } as unknown as WebhookTaskDirectory;
  const subscriptions = {
    live: async (tenants: string[]) => live.filter((s) => tenants.includes(s.tenantId)),
  } as unknown as WebhookRepository;
  // The unique dedupeKey, as the table keeps it.
  const deliveries = {
    enqueue: async (rows: NewDelivery[]) => {
      let n = 0;
      for (const r of rows) if (!stored.has(r.dedupeKey) && ++n) stored.set(r.dedupeKey, r);
      return n;
    },
  } as unknown as WebhookDeliveryRepository;
  let counted = 0;
  const metrics = { enqueued: { inc: (n: number) => (counted += n) } } as unknown as WebhookMetrics;
  const sut = new EnqueueDeliveriesUseCase(directory, subscriptions, deliveries, metrics, {
    WEBHOOK_RETRY_FOR_MS: 60_000,
  });
  return { sut, stored, counted: () => counted };
}

const sub = (
  n: number,
  over: Partial<LiveSubscription> & { events: Webhooks.WebhookEventKind[] },
): LiveSubscription => ({
  id: S(n),
  tenantId: 'acme',
  userId: 'ann',
  url: `https://h.example/${n}`,
  scope: 'own',
  ...over,
});

describe(EnqueueDeliveriesUseCase.name, () => {
  const ann: WebhookTask = {
    tenantId: 'acme',
    userId: 'ann',
    webhook: { url: 'https://h.example/task', events: ['ended'] },
  };

  it("stores one delivery per event and webhook that wants it: the task's own and the subscriptions'", async () => {
    const { sut, stored, counted } = setup({ [T1]: ann }, [
      sub(1, { events: ['*'] }),
      sub(2, { events: ['approval.requested'] }),
      sub(3, { events: ['ended'], userId: 'bob' }), // bob's own tasks only
      sub(4, { events: ['ended'], userId: 'alan', scope: 'tenant' }), // every acme task
      sub(5, { events: ['*'], tenantId: 'globex', scope: 'tenant' }), // another tenant
    ]);
    const now = new Date('2026-11-25T10:00:00.000Z');
    const n = await sut.execute(
      [
        {
          taskId: T1,
          events: [
            event(T1, 1, 'orchestrator.task.started'),
            event(T1, 2, 'orchestrator.approval.requested'),
            event(T1, 3, 'orchestrator.task.completed'),
          ],
        },
      ],
      now,
    );
    expect([...stored.keys()].sort()).toEqual(
      [
        `sub:${S(1)}:${T1}:1`,
        `sub:${S(1)}:${T1}:2`,
        `sub:${S(1)}:${T1}:3`,
        `sub:${S(2)}:${T1}:2`,
        `sub:${S(4)}:${T1}:3`,
        `task:${T1}:3`,
      ].sort(),
    );
    expect(n).toBe(6);
    expect(counted()).toBe(6);
    const own = stored.get(`task:${T1}:3`)!;
    expect(own).toMatchObject({ userId: 'ann', url: 'https://h.example/task', tenantId: 'acme' });
    expect(own.giveUpAt).toEqual(new Date(now.getTime() + 60_000));
    const body = JSON.parse(own.body) as Webhooks.WebhookPayload;
    expect(body).toMatchObject({
      type: 'orchestrator.task.completed',
      data: { taskId: T1, tenantId: 'acme', userId: 'ann', event: { seq: 3 } },
    });
    expect(body.data.webhookId).toBeUndefined();
    // A tenant-wide subscription's delivery is its subscriber's (alan), about ann's task.
    const wide = stored.get(`sub:${S(4)}:${T1}:3`)!;
    expect(wide.userId).toBe('alan');
    expect((JSON.parse(wide.body) as Webhooks.WebhookPayload).data).toMatchObject({
      userId: 'ann',
      webhookId: S(4),
    });
  });

  it('stores an event consumed twice once (a redelivery, or a second replica)', async () => {
    const { sut, stored } = setup({ [T1]: ann }, [sub(1, { events: ['*'] })]);
    const item = { taskId: T1, events: [event(T1, 7, 'orchestrator.task.failed')] };
    expect(await sut.execute([item])).toBe(2);
    expect(await sut.execute([item, item])).toBe(0);
    expect(stored.size).toBe(2);
  });

  it('uses the message headers for a task without a row, and skips one that names nobody', async () => {
    const { sut, stored } = setup({}, [sub(1, { events: ['ended'] })]);
    await sut.execute([
      {
        taskId: T1,
        tenantId: 'acme',
        userId: 'ann',
        events: [event(T1, 1, 'orchestrator.task.failed')],
      },
      { taskId: T2, events: [event(T2, 1, 'orchestrator.task.failed')] },
    ]);
    expect([...stored.keys()]).toEqual([`sub:${S(1)}:${T1}:1`]);
  });
});
