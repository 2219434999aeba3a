import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { TaskEventStream, Tasks, tenantOf, type Webhooks } from '@switchboard/contracts';
import { type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { PeriodicJob } from '@switchboard/runtime';
import { DeliverWebhooksUseCase } from '../deliver-webhooks/deliver-webhooks.use-case.js';
import { EnqueueDeliveriesUseCase } from './enqueue-deliveries.use-case.js';

/** The durables' names: each one for all replicas, which share its messages. */
export const WEBHOOK_DURABLE = 'orchestrator-webhooks';
export const APPROVALS_WEBHOOK_DURABLE = 'orchestrator-webhooks-approvals';
export const EVERY_EVENT_WEBHOOK_DURABLE = 'orchestrator-webhooks-every';

/** What each durable reads: task ends, approval requests, or (once a webhook wants it) everything. */
const FILTERS: Record<string, string | undefined> = {
  [WEBHOOK_DURABLE]: Tasks.TASK_ENDS_FILTER,
  [APPROVALS_WEBHOOK_DURABLE]: Tasks.APPROVALS_REQUESTED_FILTER,
  [EVERY_EVENT_WEBHOOK_DURABLE]: undefined,
};

/** How often a replica looks for the every-event durable another replica made. */
const ATTACH_EVERY_MS = 30_000;

/**
 * Reads the task events webhooks can ask for from the task event stream and stores the deliveries
 * they call for; a batch is acked once they are committed, so a crash in between only redelivers it
 * (and the deliveries' keys make that harmless). Reading every event of every task cost each task
 * about sixteen more NATS messages whether or not anyone had a webhook, so the durables read what the
 * webhook kinds need (docs/webhooks.md, "How it works"): the messages that end a task, and those
 * holding approval requests. The every-event durable (`*`) is made only when the first webhook
 * asks for every event — before that webhook is stored, or before the first event of a task whose
 * own webhook asks — and kept from then on; replicas that did not make it attach within
 * ATTACH_EVERY_MS, its messages waiting for them in the durable meanwhile. A message read by two
 * durables is enqueued once (deliveries are keyed by webhook and event). The durables start at the
 * events published after they were made: the history before calls for nothing.
 */
@Injectable()
export class WebhookEventConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly handles = new Map<string, ConsumerHandle>();
  private attaching: Promise<void> | undefined;
  private readonly attachJob: PeriodicJob;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly enqueue: EnqueueDeliveriesUseCase,
    private readonly deliver: DeliverWebhooksUseCase,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.attachJob = new PeriodicJob(
      ATTACH_EVERY_MS,
      () => this.attachEveryIfMade(),
      (err) => this.logger.warn({ err }, 'could not look for the every-event webhook durable'),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams([TaskEventStream]);
    await this.consume(WEBHOOK_DURABLE);
    await this.consume(APPROVALS_WEBHOOK_DURABLE);
    await this.attachEveryIfMade();
    this.attachJob.start();
    this.readiness.register('webhook-event-consumer', async () => {
      if (!this.handles.has(WEBHOOK_DURABLE)) throw new Error('webhook event consumer not running');
      for (const handle of this.handles.values()) await handle.check();
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.attachJob.stop();
  }

  /** Makes sure webhooks asking for `kinds` hear every event they want from now on. */
  async prepareFor(kinds: readonly Webhooks.WebhookEventKind[] | undefined): Promise<void> {
    if (!kinds?.includes('*') || this.handles.has(EVERY_EVENT_WEBHOOK_DURABLE)) return;
    this.attaching ??= this.consume(EVERY_EVENT_WEBHOOK_DURABLE).finally(
      () => (this.attaching = undefined),
    );
    await this.attaching;
  }

  private async attachEveryIfMade(): Promise<void> {
    if (this.handles.has(EVERY_EVENT_WEBHOOK_DURABLE)) return;
    if (await this.jetstream.hasDurable(TaskEventStream, EVERY_EVENT_WEBHOOK_DURABLE))
      await this.prepareFor(['*']);
  }

  private async consume(durable: string): Promise<void> {
    if (this.handles.has(durable)) return;
    const filterSubject = FILTERS[durable];
    const handle = await this.jetstream.consumeDurableBatch({
      contract: Tasks.TaskEventPublished,
      durable,
      ...(filterSubject ? { filterSubject } : {}),
      deliverPolicy: 'new',
      maxBatch: 64,
      lingerMs: 10,
      ackWaitMs: 30_000,
      // A database outage is waited out for over an hour before a batch is dead-lettered.
      maxDeliver: 100,
      retryDelaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
      handleBatch: async (items) => {
        const stored = await this.enqueue.execute(
          items.map(({ payload, meta }) => ({
            taskId: payload.taskId,
            events: Tasks.eventsOf(payload),
            tenantId: meta.actor ? tenantOf(meta.actor) : tenantOfSubject(meta.subject),
            userId: meta.actor?.userId,
          })),
        );
        if (stored > 0) this.deliver.kick();
      },
    });
    this.handles.set(durable, handle);
  }
}

/** The tenant token of `sb.evt.task.<taskId>.<tenantId>.<event…>`. */
function tenantOfSubject(subject: string): string | undefined {
  return subject.split('.')[4];
}
