import { describe, expect, it, jest } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { type NatsBus, NoRespondersError, NotPermittedError } from '@switchboard/messaging';
import { DEFAULT_ACTOR } from './args.js';
import { auditVerify, call, explainFailure } from './call.js';

const fakeBus = (reply: unknown) => {
  const request = jest.fn(async (..._args: unknown[]) => reply);
  return { bus: { request } as unknown as NatsBus, request };
};

describe(call.name, () => {
  it('sends the checked request as the acting user and prints the reply as JSON', async () => {
    const { bus, request } = fakeBus({ service: 'audit', status: 'up' });
    const lines: string[] = [];
    await call(
      bus,
      {
        name: 'call',
        subject: 'sb.health.audit',
        request: {},
        actor: DEFAULT_ACTOR,
        timeoutMs: 900,
        connection: {},
      },
      { line: (l) => lines.push(l) },
    );
    expect(request).toHaveBeenCalledWith(
      expect.objectContaining({ subject: 'sb.health.audit' }),
      {},
      {
        actor: DEFAULT_ACTOR,
        timeoutMs: 900,
      },
    );
    expect(JSON.parse(lines.join('\n'))).toEqual({ service: 'audit', status: 'up' });
  });
});

describe(auditVerify.name, () => {
  const cmd = { name: 'audit verify' as const, actor: DEFAULT_ACTOR, json: false, connection: {} };

  it('says the chain is intact, or where it breaks (then false: exit status 1)', async () => {
    const lines: string[] = [];
    const out = { line: (l: string) => lines.push(l) };
    expect(await auditVerify(fakeBus({ ok: true, checked: 12 }).bus, cmd, out)).toBe(true);
    expect(
      await auditVerify(
        fakeBus({ ok: false, checked: 7, firstBrokenSeq: 5, reason: 'hash mismatch' }).bus,
        cmd,
        out,
      ),
    ).toBe(false);
    expect(lines).toEqual([
      'audit trail intact: 12 rows checked',
      'audit trail BROKEN at row 5: hash mismatch (7 rows checked)',
    ]);
  });
});

describe(explainFailure.name, () => {
  it('says who may send a command NATS refused, and how to connect as them', () => {
    expect(explainFailure(new NotPermittedError('sb.cmd.audit.verify', 'audit'))).toBe(
      'FORBIDDEN: NATS refused to let this connection send sb.cmd.audit.verify: only its callers may (gateway, admin); connect as the admin identity (docs/operations.md, "NATS identities")',
    );
    expect(explainFailure(new NotPermittedError('sb.cmd.tools.call._', 'mcp-tools'))).toMatch(
      /only its callers may \(orchestrator, gateway\); no operator identity may send it$/,
    );
  });

  it('prints a typed error as CODE: message', () => {
    expect(explainFailure(new NoRespondersError('sb.health.a2a', 'a2a'))).toBe(
      'UPSTREAM_UNAVAILABLE: a2a is not available (no responders on sb.health.a2a)',
    );
    expect(
      explainFailure(
        new DomainError('VALIDATION', 'refused', {
          details: { issues: [{ path: 'x', message: 'bad' }] },
        }),
      ),
    ).toBe('VALIDATION: refused\n  x: bad');
    expect(explainFailure(new Error('boom'))).toBe('failed: boom');
  });
});
