import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Tasks } from '@switchboard/contracts';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import type { Prisma } from '../../generated/prisma/client.js';
import type { JournalDeliverySink, JournaledEvents } from '../../tasks/index.js';
import {
  A2aPushConfigRepository,
  enqueueStatement,
  type PushToEnqueue,
} from '../a2a-push-config.repository.js';
import { CONTEXT_MARKER, notifies, pushBodyOf } from '../a2a-push.payload.js';

type Settings = Pick<OrchestratorEnv, 'WEBHOOK_RETRY_FOR_MS'>;

/**
 * The A2A push notifications task events call for: for an approval requested or the task's end, one
 * webhook delivery per live push config of the task (keyed by config and event), which the webhooks'
 * due list, lease, retries, signature and dead letters then carry. A sink of the task journal: the
 * deliveries are stored by the statement that journals their events (`statement`), so they are due
 * exactly when the events are committed, and a task without a config costs one index read of that
 * statement; `execute` stores them in a statement of its own.
 */
@Injectable()
export class EnqueuePushNotificationsUseCase implements JournalDeliverySink {
  constructor(
    private readonly configs: A2aPushConfigRepository,
    @Inject(APP_CONFIG) private readonly config: Settings,
  ) {}

  statement(item: JournaledEvents, gate: string | undefined, now: Date): Prisma.Sql | undefined {
    const pushes = pushesOf([item]);
    if (pushes.length === 0) return undefined;
    return enqueueStatement(pushes, CONTEXT_MARKER, this.giveUpAt(now), now, gate);
  }

  /** Stores the deliveries of `items` in a statement of their own; how many were new. */
  async execute(
    items: readonly { taskId: string; events: readonly Tasks.TaskEvent[] }[],
    now = new Date(),
  ): Promise<number> {
    return this.configs.enqueue(pushesOf(items), CONTEXT_MARKER, this.giveUpAt(now), now);
  }

  private giveUpAt(now: Date): Date {
    return new Date(now.getTime() + this.config.WEBHOOK_RETRY_FOR_MS);
  }
}

/** The events that notify, each with its body in both wire versions (by task and seq, once). */
function pushesOf(
  items: readonly {
    taskId: string;
    events: readonly Tasks.TaskEvent[];
    traceparent?: string | undefined;
  }[],
): PushToEnqueue[] {
  const pushes = new Map<string, PushToEnqueue>();
  for (const { taskId, events, traceparent } of items)
    for (const event of events) {
      if (!notifies(event.name)) continue;
      const v1 = pushBodyOf(taskId, event, '1.0');
      const v03 = pushBodyOf(taskId, event, '0.3');
      if (v1 && v03)
        pushes.set(`${taskId}:${event.seq}`, {
          taskId,
          seq: event.seq,
          name: event.name,
          v1,
          v03,
          ...(traceparent ? { traceparent } : {}),
        });
    }
  return [...pushes.values()];
}
