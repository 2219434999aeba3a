import { afterEach, describe, expect, it } from '@jest/globals';
import { A2a, type Actor, Tasks } from '@switchboard/contracts';
import {
  type AuditTrail,
  type BusMessage,
  buildHeaders,
  type NatsBus,
} from '@switchboard/messaging';
import { DelegationRun } from './delegation-run.js';
import { RunningDelegations } from './running-delegations.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const DELEGATION = '11111111-2222-4333-8444-555555555555';
const acmeUser: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const globexAdmin: Actor = { userId: 'gus', role: 'admin', tenantId: 'globex' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };

type Handler = (payload: unknown, message: BusMessage) => void;

/** Runs made by the tests: their cancel grace timers are cleared after each. */
const runs: DelegationRun[] = [];
afterEach(() => {
  for (const run of runs.splice(0)) run.dispose();
});

/** The registry over a bus whose subscriptions the test drives, with acme's delegation running. */
function setup() {
  const handlers = new Map<string, Handler>();
  const bus = {
    subscribe: (contract: { pattern: string }, handler: Handler) => {
      handlers.set(contract.pattern, handler);
      return { unsubscribe: () => undefined };
    },
  } as unknown as NatsBus;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const sut = new RunningDelegations(bus, audit as unknown as AuditTrail);
  sut.onModuleInit();
  const run = new DelegationRun(DELEGATION, TASK, 'researcher', 'acme');
  runs.push(run);
  sut.start(run);
  /** A message as the orchestrator sends it for `actor` (headers carry the actor and its tenant). */
  const send = (pattern: string, payload: unknown, actor?: Actor) =>
    handlers.get(pattern)!(payload, {
      subject: pattern,
      headers: buildHeaders('orchestrator', actor ? { actor } : {}),
    } as BusMessage);
  const cancel = (actor?: Actor) =>
    send(A2a.DelegationCancel.pattern, { delegationId: DELEGATION, reason: 'stop' }, actor);
  const cancelTask = (actor?: Actor) =>
    send(Tasks.TaskCancelRequested.pattern, { taskId: TASK, reason: 'stop' }, actor);
  return { run, audits, cancel, cancelTask };
}

describe(`${RunningDelegations.name} and tenants`, () => {
  it('stops a delegation on a cancel from its own tenant', () => {
    const t = setup();
    t.cancel(acmeUser);
    expect(t.run.cancelled?.code).toBe('CANCELLED');
    expect(t.audits).toEqual([]);
  });

  it("leaves another tenant's delegation running, as if it were not here, and audits the attempt", () => {
    const t = setup();
    t.cancel(globexAdmin);
    t.cancelTask(globexAdmin);
    expect(t.run.cancelled).toBeUndefined();
    expect(t.audits).toEqual([
      expect.objectContaining({
        category: 'delegation',
        action: 'a2a.delegate',
        outcome: 'denied',
        actor: { userId: 'gus', role: 'admin' },
        tenantId: 'globex',
        details: { delegationId: DELEGATION, operation: 'cancel', reason: 'other_tenant' },
      }),
      // The task cancel names the task it was sent for, not the delegation it found.
      expect.objectContaining({
        tenantId: 'globex',
        details: { taskId: TASK, operation: 'task-cancel', reason: 'other_tenant' },
      }),
    ]);
  });

  it("treats a cancel naming no actor as the default tenant's", () => {
    const t = setup();
    t.cancel();
    expect(t.run.cancelled).toBeUndefined();
    expect(t.audits).toEqual([expect.objectContaining({ tenantId: 'default' })]);
  });

  it('lets the platform operator stop a delegation of any tenant', () => {
    const t = setup();
    t.cancelTask(operator);
    expect(t.run.cancelled?.code).toBe('CANCELLED');
    expect(t.audits).toEqual([]);
  });
});
