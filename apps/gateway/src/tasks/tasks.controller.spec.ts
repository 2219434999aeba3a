import { describe, expect, it } from '@jest/globals';
import { type Actor, type DomainError, Tasks } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { CancelTaskUseCase } from './cancel-task/cancel-task.use-case.js';
import type { ResumeTaskStreamUseCase } from './resume-task-stream/resume-task-stream.use-case.js';
import type { TaskAccess } from './task-access.js';
import { TaskListQuery } from './task-list.query.js';
import type { RerunTaskUseCase } from './rerun-task/rerun-task.use-case.js';
import { TasksController } from './tasks.controller.js';

const acmeAdmin: Actor = { userId: 'root', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin' };
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

/** The controller over a bus and an audit trail that record what they were given. */
function setup() {
  const sent: { subject: string; payload: unknown; actor: unknown }[] = [];
  const audits: Record<string, unknown>[] = [];
  const bus = {
    request: async (c: { subject: string }, payload: unknown, opts: { actor: unknown }) => {
      sent.push({ subject: c.subject, payload, actor: opts.actor });
      return { tasks: [] };
    },
  } as unknown as NatsBus;
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
  } as unknown as AuditTrail;
  const sut = new TasksController(
    {} as TaskAccess,
    {} as ResumeTaskStreamUseCase,
    {} as CancelTaskUseCase,
    bus,
    audit,
    {} as RerunTaskUseCase,
  );
  return { sut, sent, audits };
}

describe(`${TasksController.name} list`, () => {
  it('passes tenant_id on as the tenant filter, with the acting user', async () => {
    const { sut, sent } = setup();
    await sut.list(operator, TaskListQuery.parse({ tenant_id: 'globex', status: 'running' }));
    expect(sent).toEqual([
      {
        subject: Tasks.TaskList.subject,
        payload: { tenantId: 'globex', status: ['running'], limit: 50 },
        actor: operator,
      },
    ]);
  });

  it("leaves another tenant's id to the orchestrator, which answers an empty list", async () => {
    const { sut, sent, audits } = setup();
    expect(await sut.list(acmeAdmin, TaskListQuery.parse({ tenant_id: 'globex' }))).toEqual({
      tasks: [],
    });
    expect(await sut.list(ann, TaskListQuery.parse({ tenant_id: 'globex' }))).toEqual({
      tasks: [],
    });
    expect(sent.map((s) => s.payload)).toEqual([
      { tenantId: 'globex', limit: 50 },
      { tenantId: 'globex', limit: 50 },
    ]);
    expect(audits).toEqual([]);
  });

  it("still refuses a user asking for another user's tasks, audited", async () => {
    const { sut, sent, audits } = setup();
    let refused: DomainError | undefined;
    try {
      await sut.list(ann, TaskListQuery.parse({ user_id: 'bob' }));
    } catch (e) {
      refused = e as DomainError;
    }
    expect(refused?.code).toBe('FORBIDDEN');
    expect(sent).toEqual([]);
    expect(audits).toEqual([expect.objectContaining({ action: 'task.list.denied' })]);
  });

  it('refuses a malformed tenant id', () => {
    expect(TaskListQuery.safeParse({ tenant_id: 'acme/..' }).success).toBe(false);
    expect(TaskListQuery.safeParse({ tenant_id: '' }).success).toBe(false);
  });
});
