import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '@switchboard/client';
import { CheckField } from '../components/check-field.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import { formatBytes, formatDuration } from '../model/format';
import { healthOverview, type ServiceRow } from '../model/health';

/** Health: every service's readiness and a few figures, refreshed every few seconds. */
export function HealthView() {
  const { client } = useSession();
  const [auto, setAuto] = useState(true);
  // It polls anyway: an outage shows at once (a 503), not after the client's retries.
  const services = useLoad((signal) => client.admin.services({ signal, retries: 0 }), []);
  // A refusal of the last refresh; a success clears it (useLoad keeps the last data either way).
  const failure =
    services.failure instanceof ApiError && services.error !== undefined
      ? { status: services.failure.status, code: services.failure.code }
      : undefined;
  const overview = healthOverview(services.data?.services, failure);
  useEffect(() => {
    if (!auto) return;
    const t = setInterval(services.reload, 5_000);
    return () => clearInterval(t);
  }, [auto]);
  return (
    <Page id="health" title="Health">
      <p>
        <CheckField checked={auto} onChange={setAuto}>
          Refresh every 5 s
        </CheckField>{' '}
        <button type="button" onClick={services.reload}>
          Refresh now
        </button>
      </p>
      {overview.natsUnreachable ? (
        <div class="notice notice-warn nats-outage" role="alert">
          <p>
            <strong>NATS unreachable from the gateway.</strong> The gateway serving this page
            answers, but cannot reach NATS, through which every service reports: their state is
            unknown from here until it can{auto ? ' (checked again every 5 s)' : ''}.
          </p>
          {failure && <p class="muted">{services.error}</p>}
        </div>
      ) : (
        <ErrorNotice error={services.error} />
      )}
      <ul class="services">
        {overview.rows.map((row) => (
          <ServiceItem key={row.service} row={row} />
        ))}
      </ul>
    </Page>
  );
}

function ServiceItem({ row }: { row: ServiceRow }) {
  const s = row.health;
  return (
    <li class="service" data-service={row.service} data-status={row.state}>
      <h2>
        {row.service} <StatusBadge status={row.state} />
      </h2>
      {row.note && <p class={row.state === 'unreachable' ? 'error' : 'muted'}>{row.note}</p>}
      {s && (
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
                {formatBytes(s.metrics.rssBytes)} (heap {formatBytes(s.metrics.heapUsedBytes)})
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
  );
}
