import type { Tenancy } from '@switchboard/contracts';
import { useEffect, useState } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { FilterForm } from '../components/filter-form.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { useSession } from '../context';
import { tenantProblem } from '../model/tenant';
import {
  amountText,
  COUNTERS,
  resetWords,
  sourceWords,
  type UsageRow,
  usageRows,
  usedOfWords,
} from '../model/usage';
import { hrefOf } from '../router';
import { QuotaEditor } from './quota-editor.component';

/** How often the counters are read again while the view is open. */
const REFRESH_MS = 10_000;

/**
 * Usage: the tenant's counters today against its quota (`GET /usage`), per user for admins (anyone
 * else: their own row). The platform operator picks the tenant (`?tenant=`) and edits quotas.
 */
export function UsageView({ tenant }: { tenant?: string | undefined }) {
  const { client, me } = useSession();
  const other = me.platformAdmin && tenant !== undefined && tenant !== me.tenantId;
  const shown = other ? tenant : me.tenantId;
  const usage = useLoad(
    (signal) => client.usage.get(other ? tenant : undefined, { signal, retries: 0 }),
    [shown],
  );
  useEffect(() => {
    const t = setInterval(usage.reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [usage.reload]);
  return (
    <Page id="usage" title={<>Usage{me.tenancy || other ? ` of tenant ${shown}` : ''}</>}>
      {me.platformAdmin && <TenantPicker key={shown} tenant={shown} own={me.tenantId} />}
      <ErrorNotice error={usage.error} />
      {usage.data && <UsagePanel usage={usage.data} admin={me.admin} />}
      <p>
        <button type="button" class="secondary" onClick={usage.reload} disabled={usage.loading}>
          {usage.loading ? 'Refreshing…' : 'Refresh'}
        </button>{' '}
        <span class="muted">Read again every {REFRESH_MS / 1_000} s.</span>
      </p>
      {me.platformAdmin && <QuotaEditor key={shown} tenant={shown} onChanged={usage.reload} />}
    </Page>
  );
}

/** The platform operator's choice of tenant (the API lists none: it is typed), kept in the address. */
function TenantPicker({ tenant, own }: { tenant: string; own: string }) {
  const [text, setText] = useState(tenant);
  const [problem, setProblem] = useState<string>();
  return (
    <FilterForm
      class="tenant-picker"
      label="Choose a tenant"
      submit="Show"
      after={<ErrorNotice error={problem} />}
      onApply={() => {
        const t = text.trim();
        const p = tenantProblem(t);
        setProblem(p);
        if (!p) location.hash = hrefOf({ view: 'usage', ...(t && t !== own ? { tenant: t } : {}) });
      }}
    >
      <label>
        Tenant
        <input
          value={text}
          maxLength={64}
          spellcheck={false}
          placeholder={own}
          aria-invalid={problem ? true : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
    </FilterForm>
  );
}

function UsagePanel({ usage: u, admin }: { usage: Tenancy.TenantUsage; admin: boolean }) {
  return (
    <>
      <dl class="facts usage-facts">
        <dt>Tenant</dt>
        <dd>{u.tenantId}</dd>
        <dt>Quota</dt>
        <dd class="usage-source">{sourceWords(u.source)}</dd>
        <dt>Day (UTC)</dt>
        <dd>
          {u.day}; the daily counters start again at {resetWords(u.resetsAt, Date.now())}
        </dd>
      </dl>
      {!u.metered && (
        <p class="notice notice-warn">
          No quota applies to tenant {u.tenantId}, so nothing is counted for it: every counter stays
          0.
        </p>
      )}
      <UsageTable rows={usageRows(u)} />
      {u.users && <UsersTable usage={u} admin={admin} />}
    </>
  );
}

function UsageTable({ rows }: { rows: UsageRow[] }) {
  return (
    <DataTable
      class="table usage-table"
      caption="Today against the quota"
      captionShown
      columns={[
        'Counter',
        'Used',
        "Tenant's limit",
        <span class="sr-only">How full</span>,
        "Each user's limit",
      ]}
    >
      {rows.map((r) => (
        <tr key={r.counter} data-counter={r.counter} data-fill={r.fill}>
          <th scope="row">{r.label}</th>
          <td class="usage-used">{amountText(r.counter, r.used)}</td>
          <td class="usage-limit">{amountText(r.quota, r.limit)}</td>
          <td>
            {r.limit !== undefined && r.limit > 0 && (
              <meter
                min={0}
                max={r.limit}
                value={Math.min(r.used, r.limit)}
                optimum={0}
                low={r.limit * 0.8}
                high={r.limit * 0.999}
                aria-label={`${r.label}: ${usedOfWords(r.counter, r.used, r.limit)}`}
              />
            )}
            {r.fill === 'over' && <span class="badge badge-failed">limit reached</span>}
          </td>
          <td>{amountText(r.quota, r.perUser)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function UsersTable({ usage: u, admin }: { usage: Tenancy.TenantUsage; admin: boolean }) {
  const users = u.users ?? [];
  return (
    <>
      <h2>{admin ? 'By user' : 'Your own counters'}</h2>
      {admin && (
        <p class="muted">
          Every user counted today{u.usersTruncated ? ' (the first 1,000 only)' : ''}, against each
          user's limit where the quota sets one.
        </p>
      )}
      {users.length === 0 ? (
        <p class="muted">Nobody counted today.</p>
      ) : (
        <DataTable
          class="table usage-users"
          caption="Counters per user"
          columns={['User', ...COUNTERS.map((c) => c.label)]}
        >
          {users.map((x) => (
            <tr key={x.userId} data-user={x.userId}>
              <th scope="row">{x.userId}</th>
              {COUNTERS.map((c) => (
                <td key={c.counter} data-counter={c.counter}>
                  {perUserText(c.counter, x.usage[c.counter], u.quota?.perUser?.[c.quota])}
                </td>
              ))}
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

const perUserText = (
  counter: (typeof COUNTERS)[number]['counter'],
  used: number,
  limit: number | undefined,
) => (limit === undefined ? amountText(counter, used) : usedOfWords(counter, used, limit));
