import 'reflect-metadata';
import { jest } from '@jest/globals';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { type Actor, Approvals } from '@switchboard/contracts';
import { type AuditTrail, buildHeaders } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { TaskCore } from '../tasks/index.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { ALL_TENANTS, type TenantScope } from '../tenancy/tenant-scope.js';
import { ApprovalHandler } from './approval.handler.js';
import type { ApprovalRepository, StoredApproval } from './approval.repository.js';

const ACME_TASK = '11111111-1111-4111-8111-111111111111';
const GLOBEX_TASK = '22222222-2222-4222-8222-222222222222';
const ACME_APPROVAL = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const GLOBEX_APPROVAL = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const HASH = 'a'.repeat(64);

const approval = (tenantId: string, taskId: string, approvalId: string): StoredApproval => ({
  tenantId,
  view: {
    approvalId,
    taskId,
    stepId: 's1',
    kind: 'tool',
    target: 'notes.add',
    input: {},
    argsHash: 'h',
    reason: 'save it',
    policy: Approvals.ApprovalPolicy.parse({}),
    status: 'approved',
    requestedBy: 'ann',
    requestedAt: '2026-11-25T10:00:00.000Z',
    expiresAt: '2026-11-26T10:00:00.000Z',
    decidedBy: 'ann',
  },
  runInput: {},
  approvedHash: HASH,
});

function setup() {
  const rows = [
    approval('acme', ACME_TASK, ACME_APPROVAL),
    approval('globex', GLOBEX_TASK, GLOBEX_APPROVAL),
  ];
  const inScope = (r: StoredApproval, scope: TenantScope) =>
    scope === ALL_TENANTS || scope === r.tenantId;
  const audits: Record<string, unknown>[] = [];
  // Reads as the repository's where clause does: in the scope's tenant only.
  const repository = {
    list: async (q: { taskId?: string; scope: TenantScope }) =>
      rows.filter((r) => inScope(r, q.scope) && (!q.taskId || r.view.taskId === q.taskId)),
    get: async (taskId: string, id: string, scope: TenantScope) =>
      rows.find((r) => r.view.taskId === taskId && r.view.approvalId === id && inScope(r, scope)),
    tenantOfApproval: async (taskId: string, id: string) =>
      rows.find((r) => r.view.taskId === taskId && r.view.approvalId === id)?.tenantId,
  } as unknown as ApprovalRepository;
  const tasks = {
    tenantOfTask: async (taskId: string) => rows.find((r) => r.view.taskId === taskId)?.tenantId,
  } as unknown as TaskCore;
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const sut = new ApprovalHandler(
    repository,
    new TenantRefusals(audit as unknown as AuditTrail, { warn: jest.fn() } as unknown as Logger),
    tasks,
  );
  return { sut, audits };
}

type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;

/** Sends `data` to a handler method as NATS delivers it: the actor in the headers, as the gateway sets them. */
function ask<T>(handler: object, method: string, data: unknown, actor?: Actor): Promise<T> {
  const headers = actor ? buildHeaders('gateway', { actor }) : undefined;
  const fn = (handler as Record<string, Wrapped>)[method]!;
  return fn.call(handler, data, new NatsContext(['sb.cmd.test', headers])) as Promise<T>;
}

const acmeAdmin = { userId: 'root', role: 'admin', tenantId: 'acme' };
const operator = { userId: 'ops', role: 'platform-admin', tenantId: 'acme' };
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** What the caller hears: ok, or the ErrorBody's code and message (a uuid in it made neutral). */
async function answerOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (e) {
    if (!(e instanceof RpcException)) throw e;
    const body = e.getError() as { code: string; message: string };
    return { code: body.code, message: body.message.replace(/[0-9a-f-]{36}/, '<id>') };
  }
}

describe(ApprovalHandler.name, () => {
  describe('list', () => {
    const req = { status: 'approved' as const, limit: 50 };
    const ids = (r: { approvals: Approvals.ApprovalView[] }) =>
      r.approvals.map((a) => a.approvalId);

    it("shows an admin their tenant's approvals only; the platform operator every tenant's", async () => {
      const { sut } = setup();
      expect(ids(await ask(sut, 'list', req, acmeAdmin))).toEqual([ACME_APPROVAL]);
      expect(ids(await ask(sut, 'list', req, operator))).toEqual([ACME_APPROVAL, GLOBEX_APPROVAL]);
    });

    it("shows nothing of another tenant's task, as of a task that does not exist, audited", async () => {
      const { sut, audits } = setup();
      const other = await ask(sut, 'list', { ...req, taskId: GLOBEX_TASK }, acmeAdmin);
      const missing = await ask(
        sut,
        'list',
        { ...req, taskId: '33333333-3333-4333-8333-333333333333' },
        acmeAdmin,
      );
      expect(other).toEqual({ approvals: [] });
      expect(missing).toEqual(other);
      await settled();
      expect(audits).toEqual([
        expect.objectContaining({
          action: 'approval.list',
          outcome: 'denied',
          resource: GLOBEX_TASK,
          tenantId: 'acme',
          details: { reason: 'other_tenant' },
        }),
      ]);
    });
  });

  describe('verify', () => {
    const verify = (taskId: string, approvalId: string) => ({
      approvalId,
      taskId,
      target: 'notes.add',
      argsHash: HASH,
    });

    it("confirms an approval for a call of the approval's own tenant", async () => {
      const { sut } = setup();
      const task = { userId: 'ann', role: 'user', tenantId: 'acme' };
      expect(await ask(sut, 'verify', verify(ACME_TASK, ACME_APPROVAL), task)).toEqual({
        approvalId: ACME_APPROVAL,
        decidedBy: 'ann',
      });
    });

    it("refuses another tenant's approval exactly as one that does not exist, audited", async () => {
      const { sut, audits } = setup();
      const caller = { userId: 'ann', role: 'user', tenantId: 'acme' };
      const other = await answerOf(
        ask(sut, 'verify', verify(GLOBEX_TASK, GLOBEX_APPROVAL), caller),
      );
      const missing = await answerOf(
        ask(sut, 'verify', verify(ACME_TASK, 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'), caller),
      );
      expect(other).toEqual({
        code: 'FORBIDDEN',
        message: 'approval <id> does not cover this call: no such approval for this task',
      });
      expect(other).toEqual(missing);
      await settled();
      expect(audits).toEqual([
        expect.objectContaining({
          category: 'approval',
          action: 'approval.verify',
          outcome: 'denied',
          resource: GLOBEX_APPROVAL,
          tenantId: 'acme',
          details: { approvalId: GLOBEX_APPROVAL, reason: 'other_tenant' },
        }),
      ]);
    });

    it('verifies a call that names no tenant against the default tenant only', async () => {
      const { sut } = setup();
      expect((await answerOf(ask(sut, 'verify', verify(ACME_TASK, ACME_APPROVAL)))).code).toBe(
        'FORBIDDEN',
      );
    });
  });
});
