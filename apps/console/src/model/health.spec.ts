import { describe, expect, it } from '@jest/globals';
import { healthOverview, type ServiceHealth } from './health';

const up = (service: string): ServiceHealth => ({
  service,
  reachable: true,
  status: 'up',
  instance: `${service}-1`,
  version: '0.1.0',
  uptimeSeconds: 5,
  checks: {},
});
const away = (service: string): ServiceHealth => ({
  service: service as Extract<ServiceHealth, { reachable: false }>['service'],
  reachable: false,
  status: 'down',
  problem: 'no replica is running',
});
const ALL = ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge'];

describe(healthOverview.name, () => {
  it("shows each service's readiness, and a service no replica of which answers as unreachable", () => {
    const o = healthOverview([up('gateway'), away('a2a')]);
    expect(o.natsUnreachable).toBe(false);
    expect(o.rows.map((r) => [r.service, r.state])).toEqual([
      ['gateway', 'up'],
      ['a2a', 'unreachable'],
    ]);
    expect(o.rows[1]?.note).toBe('no replica is running');
  });

  it('on a 503 UPSTREAM_UNAVAILABLE: NATS is out of reach, the gateway serves, the others are unknown', () => {
    const o = healthOverview([up('gateway'), up('a2a')], {
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(o.natsUnreachable).toBe(true);
    expect(o.rows.map((r) => r.service)).toEqual(ALL);
    expect(o.rows.map((r) => r.state)).toEqual([
      'serving',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
    // The last answer is not shown as if current.
    expect(o.rows.some((r) => r.health)).toBe(false);
  });

  it('when even the gateway did not answer over NATS, no service is marked down', () => {
    const o = healthOverview(ALL.map(away));
    expect(o.natsUnreachable).toBe(true);
    expect(o.rows.find((r) => r.service === 'gateway')).toMatchObject({ state: 'serving' });
    expect(o.rows.filter((r) => r.state === 'unreachable' || r.state === 'down')).toEqual([]);
  });

  it('another refusal is not a NATS outage', () => {
    const o = healthOverview([up('gateway')], { status: 504, code: 'TIMEOUT' });
    expect(o.natsUnreachable).toBe(false);
    expect(o.rows).toEqual([{ service: 'gateway', state: 'up', health: up('gateway') }]);
  });
});
