import { useEffect, useState } from 'preact/hooks';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import { formatBytes, formatDuration } from '../model/format';

interface ServiceHealth {
  service: string;
  reachable: boolean;
  status: 'up' | 'down';
  problem?: string;
  instance?: string;
  version?: string;
  uptimeSeconds?: number;
  checks?: Record<string, { status: string; detail?: string }>;
  metrics?: {
    rssBytes: number;
    heapUsedBytes: number;
    eventLoopDelayMs: number;
    commandsHandled: number;
    commandsFailed: number;
  };
}

/** Health: every service's readiness and a few figures, refreshed every few seconds. */
export function HealthView() {
  const { api } = useSession();
  const [auto, setAuto] = useState(true);
  const services = useLoad((s) => api.get<{ services: ServiceHealth[] }>('services', {}, s), []);
  useEffect(() => {
    if (!auto) return;
    const t = setInterval(services.reload, 5_000);
    return () => clearInterval(t);
  }, [auto]);
  return (
    <section aria-labelledby="health-title">
      <h1 id="health-title" tabIndex={-1}>
        Health
      </h1>
      <p>
        <label class="inline">
          <input
            type="checkbox"
            checked={auto}
            onChange={(e) => setAuto(e.currentTarget.checked)}
          />{' '}
          Refresh every 5 s
        </label>{' '}
        <button type="button" onClick={services.reload}>
          Refresh now
        </button>
      </p>
      <ErrorNotice error={services.error} />
      <ul class="services">
        {services.data?.services.map((s) => (
          <li key={s.service} class="service" data-service={s.service} data-status={s.status}>
            <h2>
              {s.service} <StatusBadge status={s.reachable ? s.status : 'unreachable'} />
            </h2>
            {!s.reachable && <p class="error">{s.problem}</p>}
            {s.reachable && (
              <>
                <p class="muted">
                  {s.instance} · {s.version} · up {formatDuration((s.uptimeSeconds ?? 0) * 1000)}
                </p>
                <ul class="checks" aria-label={`${s.service} checks`}>
                  {Object.entries(s.checks ?? {}).map(([name, c]) => (
                    <li key={name}>
                      <StatusBadge status={c.status} /> {name}
                      {c.detail ? <span class="muted"> — {c.detail}</span> : null}
                    </li>
                  ))}
                </ul>
                {s.metrics && (
                  <dl class="facts">
                    <dt>Memory</dt>
                    <dd>
                      {formatBytes(s.metrics.rssBytes)} (heap {formatBytes(s.metrics.heapUsedBytes)}
                      )
                    </dd>
                    <dt>Event-loop delay</dt>
                    <dd>{s.metrics.eventLoopDelayMs} ms</dd>
                    <dt>Commands</dt>
                    <dd>
                      {s.metrics.commandsHandled.toLocaleString('en-US')} handled,{' '}
                      {s.metrics.commandsFailed.toLocaleString('en-US')} failed
                    </dd>
                  </dl>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
