import { describe, expect, it } from '@jest/globals';
import { A2a } from '@switchboard/contracts';
import {
  type AuditTrail,
  type NatsBus,
  NoRespondersError,
  RemoteError,
} from '@switchboard/messaging';
import type { FastifyRequest } from 'fastify';
import type { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { createHash } from 'node:crypto';
import { A2aNotificationsController, taskIdOf } from './a2a-notifications.controller.js';

const DELEGATION = '11111111-2222-4333-8444-555555555555';

const request = { ip: '203.0.113.9', headers: {} } as unknown as FastifyRequest;

function controller(answer: (payload: unknown) => Promise<unknown>, limitAfter = 100) {
  const asked: unknown[] = [];
  const audited: { action: string; details: Record<string, unknown> }[] = [];
  let refusals = 0;
  const failures = {
    refused: async () =>
      ++refusals > limitAfter
        ? { limited: true, first: refusals === limitAfter + 1, retryAfterSeconds: 30 }
        : { limited: false },
  } as unknown as AuthFailureLimiter;
  const audit = {
    record: async (e: { action: string; details: Record<string, unknown> }) => {
      audited.push({ action: e.action, details: e.details });
    },
  } as unknown as AuditTrail;
  const bus = {
    request: async (contract: unknown, payload: unknown) => {
      expect(contract).toBe(A2a.DelegationNotified);
      asked.push(payload);
      return answer(payload);
    },
  } as unknown as NatsBus;
  return { sut: new A2aNotificationsController(bus, failures, audit), asked, audited };
}

describe(A2aNotificationsController.name, () => {
  it("passes the token's sha256 and the notified task to the a2a replica, never the token", async () => {
    const { sut, asked } = controller(async () => ({ accepted: true }));
    const body = { statusUpdate: { taskId: 'remote-1', contextId: 'c' } };
    await expect(sut.notify(DELEGATION, 'secret-token', body, request)).resolves.toEqual({
      accepted: true,
    });
    expect(asked).toEqual([
      {
        delegationId: DELEGATION,
        tokenHash: createHash('sha256').update('secret-token').digest('hex'),
        remoteTaskId: 'remote-1',
      },
    ]);
    expect(JSON.stringify(asked)).not.toContain('secret-token');
  });

  it('refuses a missing token and a malformed id before asking anyone', async () => {
    const { sut, asked } = controller(async () => ({ accepted: true }));
    await expect(sut.notify(DELEGATION, undefined, {}, request)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(sut.notify('nope', 'token', {}, request)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(asked).toEqual([]);
  });

  it('answers NOT_FOUND when no replica runs the delegation, and passes on its refusals', async () => {
    const gone = controller(async () => {
      throw new NoRespondersError('sb.cmd.a2a.delegation.notified.x', 'a2a');
    });
    await expect(gone.sut.notify(DELEGATION, 'token', {}, request)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // An agent notifying after the delegation ended is not counted against its address.
    expect(gone.audited).toEqual([]);
    const wrong = controller(async () => {
      throw new RemoteError('a2a', {
        code: 'UNAUTHORIZED',
        message: 'the notification token does not match',
        retryable: false,
      });
    });
    await expect(wrong.sut.notify(DELEGATION, 'token', {}, request)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('audits each refusal without the token, and answers 429 once an address passed the limit', async () => {
    const refusing = controller(async () => {
      throw new RemoteError('a2a', {
        code: 'UNAUTHORIZED',
        message: 'the notification token does not match',
        retryable: false,
      });
    }, 1);
    await expect(refusing.sut.notify(DELEGATION, 'guess-1', {}, request)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(refusing.sut.notify(DELEGATION, 'guess-2', {}, request)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await expect(refusing.sut.notify(DELEGATION, 'guess-3', {}, request)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(refusing.audited).toEqual([
      {
        action: 'a2a.notification.refused',
        details: { code: 'UNAUTHORIZED', ip: '203.0.113.9', delegationId: DELEGATION },
      },
      {
        action: 'auth.limited',
        details: { code: 'UNAUTHORIZED', ip: '203.0.113.9', delegationId: DELEGATION },
      },
    ]);
    expect(JSON.stringify(refusing.audited)).not.toContain('guess');
  });

  it('reads the task from 1.0 stream responses and 0.3 objects', () => {
    expect(taskIdOf({ task: { id: 't1' } })).toBe('t1');
    expect(taskIdOf({ artifactUpdate: { taskId: 't2' } })).toBe('t2');
    expect(taskIdOf({ kind: 'task', id: 't3' })).toBe('t3');
    expect(taskIdOf({ kind: 'status-update', taskId: 't4' })).toBe('t4');
    expect(taskIdOf({ task: { id: 'x'.repeat(600) } })).toBeUndefined();
    expect(taskIdOf('nope')).toBeUndefined();
  });
});
