import { Metrics } from './metrics.js';
import { ReadinessRegistry } from './readiness.registry.js';

describe(ReadinessRegistry.name, () => {
  it('reports each check on scrape as sb_readiness_check_up, 1 while up and 0 while down', async () => {
    const metrics = new Metrics('mcp-tools', 't-1');
    const sut = new ReadinessRegistry().reportTo(metrics);
    let redisUp = true;
    sut.register('nats', async () => undefined);
    sut.register('redis', async () => {
      if (!redisUp) throw new Error('connection refused');
    });
    const value = (text: string, check: string) =>
      new RegExp(`^sb_readiness_check_up\\{check="${check}"[^}]*\\} (\\d)$`, 'm').exec(text)?.[1];

    let text = await metrics.text();
    expect([value(text, 'nats'), value(text, 'redis')]).toEqual(['1', '1']);
    redisUp = false;
    text = await metrics.text();
    expect([value(text, 'nats'), value(text, 'redis')]).toEqual(['1', '0']);
  });
});
