import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import { TaskCancellations } from './task-cancellations.js';

const logger = createLogger({
  service: 'mcp-tools',
  instance: 't',
  level: 'silent',
  pretty: false,
});
const acmeUser: Actor = { userId: 'alice', role: 'user', tenantId: 'acme' };
const globexAdmin: Actor = { userId: 'gus', role: 'admin', tenantId: 'globex' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

function setup() {
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const sut = new TaskCancellations({} as NatsBus, audit as unknown as AuditTrail, logger);
  const heard: string[] = [];
  /** A tool call of `tenantId` watching the task; what it heard is in `heard`. */
  const watch = (tenantId: string) =>
    sut.watch(TASK, tenantId, (r) => heard.push(`${tenantId}:${r}`));
  return { sut, audits, heard, watch };
}

describe(`${TaskCancellations.name} and tenants`, () => {
  it("aborts the calls of the canceller's own tenant only, and audits a reach into another's", () => {
    const t = setup();
    t.watch('acme');
    t.sut.cancel(TASK, 'not yours', globexAdmin);
    expect(t.heard).toEqual([]);
    expect(t.audits).toEqual([
      expect.objectContaining({
        category: 'tool',
        action: 'tool.call',
        outcome: 'denied',
        actor: { userId: 'gus', role: 'admin' },
        tenantId: 'globex',
        details: { taskId: TASK, operation: 'task-cancel', reason: 'other_tenant' },
      }),
    ]);
    t.sut.cancel(TASK, 'stop', acmeUser);
    expect(t.heard).toEqual(['acme:stop']);
  });

  it("refuses a late call of a task cancelled in its tenant, not one cancelled in another's", () => {
    const t = setup();
    t.sut.cancel(TASK, 'stop', globexAdmin);
    t.watch('acme');
    t.watch('globex');
    expect(t.heard).toEqual(['globex:stop']);
  });

  it("lets the platform operator's cancel stop the calls of any tenant, late ones included", () => {
    const t = setup();
    t.watch('acme');
    t.sut.cancel(TASK, 'ops stop', operator);
    t.watch('initech');
    expect(t.heard).toEqual(['acme:ops stop', 'initech:ops stop']);
    expect(t.audits).toEqual([]);
  });
});
