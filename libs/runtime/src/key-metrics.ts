import type { Health } from '@switchboard/contracts';
import type { Metrics } from '@switchboard/observability';
import { monitorEventLoopDelay } from 'node:perf_hooks';

type KeyMetrics = NonNullable<Health.ServiceStatus['metrics']>;

// One histogram per process, started when the service loads: cheap (sampled by libuv), and its mean
// covers the replica's life so far.
const loopDelay = monitorEventLoopDelay({ resolution: 20 });
loopDelay.enable();

/** The few figures `sb.health.<service>` reports beside the checks (memory, event loop, commands). */
export async function keyMetrics(metrics: Metrics): Promise<KeyMetrics> {
  const handled = await metrics.natsHandled.get();
  let commandsHandled = 0;
  let commandsFailed = 0;
  for (const v of handled.values) {
    commandsHandled += v.value;
    if (v.labels.outcome !== 'ok') commandsFailed += v.value;
  }
  const memory = process.memoryUsage();
  const meanNs = loopDelay.count > 0 ? loopDelay.mean : 0;
  return {
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    eventLoopDelayMs: Number.isFinite(meanNs) ? Math.round(meanNs / 1e4) / 100 : 0,
    commandsHandled,
    commandsFailed,
  };
}
