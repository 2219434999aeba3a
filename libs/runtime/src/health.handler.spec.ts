import 'reflect-metadata';
import { NatsContext } from '@nestjs/microservices';
import { Metrics, ReadinessRegistry } from '@switchboard/observability';
import { createHealthHandler } from './health.handler.js';

describe(createHealthHandler.name, () => {
  it('answers with the service identity and its readiness checks', async () => {
    const Handler = createHealthHandler('audit') as new (
      r: ReadinessRegistry,
      i: unknown,
      m: Metrics,
    ) => { status(data: unknown, ctx: NatsContext): Promise<Record<string, unknown>> };
    const readiness = new ReadinessRegistry();
    readiness.register('postgres', async () => undefined);
    readiness.register('nats', async () => {
      throw new Error('disconnected');
    });
    const metrics = new Metrics('audit', 'i-1');
    metrics.observeNatsHandled('sb.cmd.audit.query', 'ok', 0.001);
    metrics.observeNatsHandled('sb.cmd.audit.query', 'ok', 0.001);
    metrics.observeNatsHandled('sb.cmd.audit.query', 'FORBIDDEN', 0.001);
    const sut = new Handler(
      readiness,
      { service: 'audit', instance: 'i-1', version: '1', startedAt: 0 },
      metrics,
    );
    // Called the way Nest's NATS server calls it: (payload, context).
    expect(await sut.status({}, new NatsContext(['sb.health.audit', undefined]))).toMatchObject({
      service: 'audit',
      instance: 'i-1',
      status: 'down',
      checks: { postgres: { status: 'up' }, nats: { status: 'down', detail: 'disconnected' } },
      metrics: { commandsHandled: 3, commandsFailed: 1 },
    });
  });
});
