import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, type Webhooks } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { CheckWebhookTargetUseCase } from '../../webhooks/check-webhook-target/check-webhook-target.use-case.js';
import type { A2aPushConfigRepository, PushTask } from '../a2a-push-config.repository.js';
import { ManagePushConfigsUseCase } from './manage-push-configs.use-case.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const owned: PushTask = { taskId: TASK, tenantId: 'acme', userId: 'ann' };
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };

function setup(task: PushTask | undefined, refuse?: DomainError) {
  const calls: string[] = [];
  const audited: Record<string, unknown>[] = [];
  const configs = {
    task: async () => task,
    set: async (t: PushTask, req: Webhooks.A2aPushConfigSetRequest) => {
      calls.push(`set:${t.userId}`);
      return {
        taskId: t.taskId,
        configId: req.configId ?? 'made',
        url: req.url,
        wireVersion: req.wireVersion,
        createdAt: '2026-11-26T08:00:00.000Z',
      };
    },
    get: async () => undefined,
    list: async () => ({ configs: [] }),
    delete: async () => 2,
  } as unknown as A2aPushConfigRepository;
  const target = {
    execute: async () => {
      calls.push('policy');
      if (refuse) throw refuse;
    },
  } as unknown as CheckWebhookTargetUseCase;
  const audit = {
    record: async (r: Record<string, unknown>) => audited.push(r),
  } as unknown as AuditTrail;
  return { sut: new ManagePushConfigsUseCase(configs, target, audit), calls, audited };
}

const req = (
  over: Partial<Webhooks.A2aPushConfigSetRequest> = {},
): Webhooks.A2aPushConfigSetRequest => ({
  taskId: TASK,
  url: 'https://h.example/a2a',
  wireVersion: '1.0',
  authentication: { scheme: 'Bearer', credentials: 'secret-1' },
  token: 'tok',
  ...over,
});

describe(ManagePushConfigsUseCase.name, () => {
  it("sets a config for the task's owner: URL policy, then the row; audited without secrets", async () => {
    const { sut, calls, audited } = setup(owned);
    await sut.set(req(), ann);
    expect(calls).toEqual(['policy', 'set:ann']);
    expect(JSON.stringify(audited)).not.toMatch(/secret-1|tok/);
    expect(audited[0]).toMatchObject({ action: 'a2a.push.set', taskId: TASK, tenantId: 'acme' });
  });

  it("lets an admin of the tenant set one on a user's task, in the owner's name", async () => {
    const { sut, calls } = setup(owned);
    await sut.set(req(), alan);
    expect(calls).toContain('set:ann');
  });

  it("answers another user's task, or one outside the caller's tenant, as not found", async () => {
    for (const [task, who] of [
      [owned, bob],
      [undefined, ann],
    ] as const) {
      const { sut, calls } = setup(task);
      await expect(sut.set(req(), who)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(sut.list({ taskId: TASK, limit: 5 }, who)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(calls).toEqual([]);
    }
  });

  it("takes a task being submitted (no row yet) as the caller's", async () => {
    const { sut, calls } = setup(undefined);
    await sut.set(req({ submitting: true }), bob);
    expect(calls).toEqual(['policy', 'set:bob']);
  });

  it('stores nothing when the URL policy refuses the URL', async () => {
    const refusal = new DomainError('VALIDATION', 'url: 127.0.0.1 is a loopback address');
    const { sut, calls } = setup(owned, refusal);
    await expect(sut.set(req(), ann)).rejects.toBe(refusal);
    expect(calls).toEqual(['policy']);
  });

  it('deletes, saying how many notifications were cancelled', async () => {
    const { sut, audited } = setup(owned);
    expect(await sut.delete(TASK, 'c1', ann)).toEqual({ deleted: true, cancelledDeliveries: 2 });
    expect(audited[0]).toMatchObject({ action: 'a2a.push.delete' });
  });
});
