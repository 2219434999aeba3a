import type { Audit } from '@switchboard/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { JsonView } from '../components/json-view.component';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import { verifyWords } from '../model/audit-verify';
import { formatDateTime } from '../model/format';
import { tenantProblem } from '../model/tenant';

const CATEGORIES = [
  'auth',
  'request',
  'task',
  'tool',
  'delegation',
  'guardrail',
  'approval',
  'webhook',
  'admin',
  'error',
];
const OUTCOMES = ['success', 'failure', 'denied'];

interface Filters {
  task_id: string;
  user_id: string;
  category: string;
  outcome: string;
  action: string;
  /** The platform operator's: one tenant's rows, and that tenant's chain to verify. */
  tenant_id: string;
}
const NONE: Filters = {
  task_id: '',
  user_id: '',
  category: '',
  outcome: '',
  action: '',
  tenant_id: '',
};

/**
 * Audit (admins): the trail filtered by task, user, category and outcome; and the chain check, which
 * says what it checked (a tenant admin's tenant; the platform operator's whole trail, or the tenant
 * the Tenant filter names).
 */
// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
export function AuditView() {
  const { api, me } = useSession();
  const [filters, setFilters] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const [rows, setRows] = useState<Audit.AuditEntry[]>([]);
  const [next, setNext] = useState<number>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  // Only the newest load may fill the table: an unfiltered page answered after the filtered one
  // would otherwise show rows the filters exclude.
  const latest = useRef(0);
  const [verify, setVerify] = useState<{
    busy: boolean;
    result?: Audit.AuditVerifyResponse;
    error?: string;
  }>({ busy: false });

  const load = async (before?: number) => {
    const mine = ++latest.current;
    setError(undefined);
    setLoading(true);
    try {
      const q = Object.fromEntries(
        Object.entries(applied).map(([k, v]) => [k, v.trim() || undefined]),
      );
      const page = await api.get<Audit.AuditQueryResponse>('audit', { ...q, before, limit: 100 });
      if (mine !== latest.current) return;
      setRows((r) => (before ? [...r, ...page.entries] : page.entries));
      setNext(page.nextBefore);
    } catch (e) {
      if (mine === latest.current) setError(describeError(e));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  };
  useEffect(() => void load(), [applied]);

  const check = async () => {
    setVerify({ busy: true });
    try {
      const tenant = me.platformAdmin ? applied.tenant_id.trim() || undefined : undefined;
      setVerify({
        busy: false,
        result: await api.get<Audit.AuditVerifyResponse>('audit/verify', { tenant_id: tenant }),
      });
    } catch (e) {
      setVerify({ busy: false, error: describeError(e) });
    }
  };
  const set = (k: keyof Filters) => (e: { currentTarget: { value: string } }) =>
    setFilters({ ...filters, [k]: e.currentTarget.value });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title" tabIndex={-1}>
        Audit trail
      </h1>
      <div class="verify">
        <button type="button" disabled={verify.busy} onClick={() => void check()}>
          {verify.busy ? 'Verifying the chain…' : 'Verify the hash chain'}
        </button>
        <p role="status" aria-live="polite" class="verify-result">
          {verify.result && (
            <span class={verify.result.ok ? 'verify-ok' : 'error'}>
              {verifyWords(verify.result, me.tenancy)}
            </span>
          )}
          {verify.error}
        </p>
      </div>
      <form
        class="filters"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          const problem = tenantProblem(filters.tenant_id);
          setError(problem && `Tenant: ${problem}`);
          if (problem) return;
          // Busy from this render on, so nobody reads the old rows as the filtered ones.
          setLoading(true);
          // A new object each time: Apply with unchanged filters loads the newest rows again.
          setApplied({ ...filters });
        }}
      >
        {me.platformAdmin && (
          <label>
            Tenant
            <input
              value={filters.tenant_id}
              onInput={set('tenant_id')}
              maxLength={64}
              placeholder="every tenant"
            />
          </label>
        )}
        <label>
          Task id
          <input value={filters.task_id} onInput={set('task_id')} maxLength={36} />
        </label>
        <label>
          User
          <input value={filters.user_id} onInput={set('user_id')} maxLength={128} />
        </label>
        <label>
          Category
          <select value={filters.category} onChange={set('category')}>
            <option value="">any</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={filters.outcome} onChange={set('outcome')}>
            <option value="">any</option>
            {OUTCOMES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Action
          <input
            value={filters.action}
            onInput={set('action')}
            maxLength={100}
            placeholder="task.submit"
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorNotice error={error} />
      <table class="table audit" aria-busy={loading}>
        <caption class="sr-only">Audit rows, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Seq</th>
            {me.platformAdmin && <th scope="col">Tenant</th>}
            <th scope="col">Time</th>
            <th scope="col">Category</th>
            <th scope="col">Action</th>
            <th scope="col">Outcome</th>
            <th scope="col">Actor</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seq} data-tenant={r.tenantId}>
              <td>{r.seq}</td>
              {me.platformAdmin && <td class="audit-tenant">{r.tenantId}</td>}
              <td>{formatDateTime(r.at)}</td>
              <td>{r.category}</td>
              <td>
                <code>{r.action}</code>
              </td>
              <td>
                <StatusBadge status={r.outcome} />
              </td>
              <td>
                {r.actor.userId ?? '—'}
                {r.actor.role ? ` (${r.actor.role})` : ''}
              </td>
              <td>
                <JsonView
                  label={r.resource ?? r.source}
                  value={{
                    ...r.details,
                    source: r.source,
                    taskId: r.taskId,
                    traceId: r.traceId,
                    tenantSeq: r.tenantSeq,
                    hash: r.hash,
                  }}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p role="status" class="muted">
        {rows.length} rows{next ? ', more older ones' : ''}
      </p>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Older rows
        </button>
      )}
    </section>
  );
}
