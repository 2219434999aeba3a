import { describe, expect, it } from '@jest/globals';
import type { Webhooks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger, ServiceIdentity } from '@switchboard/observability';
import type { WebhookEventConsumer } from '../webhooks/enqueue-deliveries/webhook-event.consumer.js';
import { TaskEventLog } from './task-event.log.js';
import type { TaskRepository } from './task.repository.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe(TaskEventLog.name, () => {
  /** What happened, in order: the webhook durables prepared, events stored. */
  function setUp() {
    const order: string[] = [];
    const jetstream = {
      publish: async () => {
        order.push('stored');
        return { seq: 1, duplicate: false };
      },
    } as unknown as JetStreamService;
    const webhooks = {
      prepareFor: async (kinds?: readonly Webhooks.WebhookEventKind[]) =>
        void order.push(`prepared ${kinds?.join(',') ?? 'nothing'}`),
    } as unknown as WebhookEventConsumer;
    const log = new TaskEventLog(
      jetstream,
      {} as TaskRepository,
      { service: 'orchestrator' } as ServiceIdentity,
      { warn: () => undefined } as unknown as Logger,
      webhooks,
    );
    return { log, order };
  }

  it("makes sure a task's own every-event webhook is heard before its first event is stored", async () => {
    const { log, order } = setUp();
    const events = await log.open(TASK_ID, false, {
      events: ['*'],
    } as Pick<Webhooks.TaskWebhook, 'events'>);
    events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    await events.flush();
    expect(order).toEqual(['prepared *', 'stored']);
  });

  it('asks for nothing more for a task without a webhook', async () => {
    const { log, order } = setUp();
    await log.open(TASK_ID, false);
    expect(order).toEqual(['prepared nothing']);
  });
});
