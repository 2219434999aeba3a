import { describe, expect, it } from '@jest/globals';
import { DomainError, type Health } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { ServicesController } from './services.controller.js';

const status = (service: string): Health.ServiceStatus => ({
  service,
  instance: `${service}-1`,
  status: 'down',
  version: '1',
  uptimeSeconds: 5,
  checks: { postgres: { status: 'down', detail: 'connect ECONNREFUSED 10.0.0.7:5432' } },
});

/** A bus on which the orchestrator answers, a2a has no replica and audit is too slow. */
const bus = {
  request: async (contract: { subject: string }) => {
    const service = contract.subject.split('.').pop()!;
    if (service === 'a2a') throw new DomainError('UPSTREAM_UNAVAILABLE', 'no responders');
    if (service === 'audit') throw new DomainError('TIMEOUT', 'no answer in 2000 ms');
    return status(service);
  },
} as unknown as NatsBus;

describe(ServicesController.name, () => {
  const sut = new ServicesController(bus);

  it('shows users which checks fail, and only admins what they said', async () => {
    const user = await sut.list({ userId: 'ada', role: 'user' });
    const orchestrator = user.services.find((s) => s.service === 'orchestrator');
    expect(orchestrator).toMatchObject({
      reachable: true,
      checks: { postgres: { status: 'down' } },
    });
    expect(JSON.stringify(user)).not.toContain('ECONNREFUSED');
    const admin = await sut.list({ userId: 'root', role: 'admin' });
    expect(JSON.stringify(admin)).toContain('ECONNREFUSED 10.0.0.7');
  });

  it('says why a service is unreachable', async () => {
    const { services } = await sut.list({ userId: 'ada', role: 'user' });
    expect(services.map((s) => s.service)).toEqual([
      'gateway',
      'orchestrator',
      'mcp-tools',
      'a2a',
      'audit',
      'xmpp-bridge',
    ]);
    expect(services.find((s) => s.service === 'a2a')).toEqual({
      reachable: false,
      service: 'a2a',
      status: 'down',
      problem: 'no replica is running',
    });
    expect(services.find((s) => s.service === 'audit')).toMatchObject({
      problem: 'no replica answered in time',
    });
  });
});
