import { jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import { buildHeaders, type JetStreamService, type OutgoingOptions } from '@switchboard/messaging';
import { type Logger, requestContext } from '@switchboard/observability';
import type { PrismaService } from '../prisma/prisma.service.js';
import { TaskCore } from '../tasks/index.js';
import { TaskRepository } from '../tasks/task.repository.js';
import type { ApprovalRepository } from './approval.repository.js';
import { TaskResumer } from './task-resumer.js';
import { TaskStateStore } from '../tasks/state/task-state.store.js';

const TASK = '11111111-1111-4111-8111-111111111111';

/** The stored row of a task that waits for approvals, submitted by ann of acme. */
const row = {
  id: TASK,
  tenantId: 'acme',
  userId: 'ann',
  role: 'user',
  status: 'waiting_approval',
  request: { task: 'what is 17 * 23', approval: { tools: ['calculator'] } },
  createdAt: new Date('2026-11-25T10:00:00.000Z'),
  correlationId: 'c-1',
};

function setup(stored = row) {
  const published: { payload: Tasks.TaskSubmission; opts: OutgoingOptions }[] = [];
  const effects: string[] = [];
  const prisma = {
    task: { findUnique: async () => stored },
  } as unknown as PrismaService;
  const jetstream = {
    publish: async (
      _c: unknown,
      _t: unknown,
      payload: Tasks.TaskSubmission,
      opts: OutgoingOptions,
    ) => {
      published.push({ payload, opts });
      effects.push('resubmit');
      return { seq: 1, duplicate: false };
    },
  } as unknown as JetStreamService;
  const sut = new TaskResumer(
    new TaskCore(new TaskRepository(prisma, new TaskStateStore(prisma)), {} as never, jetstream),
    {
      counts: async () => ({ total: 1, pending: 0 }),
      cancelPending: async (taskId: string, by: string) => void effects.push(`cancel ${by}`),
    } as unknown as ApprovalRepository,
    { info: jest.fn() } as unknown as Logger,
  );
  return { sut, published, effects };
}

// A task resumed after its approvals runs on any replica from this submission: its actor must be the
// submitter's with their tenant, or the resumed run's tool calls and delegations (and their
// x-sb-tenant-id) would land in the default tenant.
describe(TaskResumer.name, () => {
  it("resubmits a decided task with its submitter's actor, tenant included, in payload and headers", async () => {
    const { sut, published } = setup();
    // Decided by the platform operator, acting in another tenant: the task's actor is still ann's.
    const operator = { userId: 'ops', role: 'platform-admin', tenantId: 'default' };
    await requestContext.run({ correlationId: 'd-1', actor: operator }, () =>
      sut.resumeIfDecided(TASK),
    );
    expect(published).toHaveLength(1);
    const [{ payload, opts }] = published as [(typeof published)[number]];
    const ann = { userId: 'ann', role: 'user', tenantId: 'acme' };
    expect(payload).toMatchObject({ taskId: TASK, actor: ann, correlationId: 'c-1' });
    expect(opts.actor).toEqual(ann);
    const headers = requestContext.run({ correlationId: 'd-1', actor: operator }, () =>
      buildHeaders('orchestrator', opts),
    );
    expect(headers.get('x-sb-tenant-id')).toBe('acme');
    expect(headers.get('x-sb-user-id')).toBe('ann');
  });

  it('resubmits a cancelled waiting task in its tenant too', async () => {
    const { sut, published } = setup();
    await sut.resumeCancelled(TASK);
    expect(published[0]?.payload.actor.tenantId).toBe('acme');
  });

  it("cancels a task's pending approvals first, then resubmits it only if it was waiting", async () => {
    const waiting = setup();
    await waiting.sut.cancel({ taskId: TASK, status: 'waiting_approval' }, 'root');
    expect(waiting.effects).toEqual(['cancel root', 'resubmit']);
    // A running task hears the cancel on the bus: its approvals are cancelled, it is not resubmitted.
    const running = setup();
    await running.sut.cancel({ taskId: TASK, status: 'running' }, 'root');
    expect(running.effects).toEqual(['cancel root']);
  });

  it('resubmits a task of the default tenant (tenancy off) with an actor naming no tenant, as before', async () => {
    const { sut, published } = setup({ ...row, tenantId: 'default' });
    await sut.resumeIfDecided(TASK);
    expect(published[0]?.payload.actor).toEqual({ userId: 'ann', role: 'user' });
    expect(buildHeaders('orchestrator', published[0]!.opts).has('x-sb-tenant-id')).toBe(false);
  });
});
