import { describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { AuditOutboxRepository } from './audit-outbox.repository.js';
import type { AuditRelay } from './audit-relay.js';
import { AuditRelaySweep } from './audit-relay.sweep.js';

const SETTINGS = {
  AUDIT_RELAY_LINGER_MS: 20,
  AUDIT_RELAY_HOLD_MS: 500,
  AUDIT_RELAY_BATCH: 3,
  AUDIT_RELAY_MARK_LINGER_MS: 1_000,
  AUDIT_RELAY_SWEEP_MS: 5_000,
  AUDIT_RELAY_SWEEP_AFTER_MS: 15_000,
  AUDIT_RELAY_KEEP_MS: 3_600_000,
};

/** An outbox owing `owed` rows, relayed a batch at a time; what was asked of it, in order. */
function setup(owed: number, opts: { failing?: boolean } = {}) {
  const asked: string[] = [];
  const warnings: string[] = [];
  let left = owed;
  let onBatch: () => void = () => undefined;
  const outbox = {
    relayOwed: async (afterMs: number, size: number) => {
      if (opts.failing) throw new Error('database unreachable');
      const sent = Math.min(size, left);
      left -= sent;
      asked.push(`relay ${sent} after ${afterMs}`);
      onBatch();
      return sent;
    },
    forgetRelayed: async (keepMs: number) => void asked.push(`forget after ${keepMs}`),
  } as unknown as AuditOutboxRepository;
  const sweep = new AuditRelaySweep(outbox, {} as AuditRelay, SETTINGS, {
    info: () => undefined,
    warn: (_o: unknown, msg: string) => void warnings.push(msg),
  } as unknown as Logger);
  return { sweep, asked, warnings, whenBatch: (f: () => void) => (onBatch = f) };
}

describe(AuditRelaySweep.name, () => {
  it('relays batch after batch until one comes back short, then forgets old relayed rows', async () => {
    const { sweep, asked } = setup(7);
    await expect(sweep.sweep()).resolves.toBe(7);
    expect(asked).toEqual([
      'relay 3 after 15000',
      'relay 3 after 15000',
      'relay 1 after 15000',
      'forget after 3600000',
    ]);
  });

  it('stops after the batch under way when the module is destroyed (the rest waits for the next replica)', async () => {
    const { sweep, asked, whenBatch } = setup(30);
    let destroyed: Promise<void> | undefined;
    whenBatch(() => {
      destroyed ??= sweep.onModuleDestroy();
    });
    await expect(sweep.sweep()).resolves.toBe(3);
    await destroyed;
    expect(asked).toEqual(['relay 3 after 15000', 'forget after 3600000']);
  });

  it('sweeps every AUDIT_RELAY_SWEEP_MS once started; a failed sweep is logged and the next one retries', async () => {
    jest.useFakeTimers();
    try {
      const { sweep, warnings } = setup(1, { failing: true });
      sweep.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(4_999);
      expect(warnings).toEqual([]);
      await jest.advanceTimersByTimeAsync(5_001);
      expect(warnings).toEqual([
        'audit relay sweep failed; the next one retries',
        'audit relay sweep failed; the next one retries',
      ]);
      await sweep.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(warnings).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
