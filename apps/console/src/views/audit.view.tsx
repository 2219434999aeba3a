import type { Audit } from '@switchboard/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { useSession } from '../context';
import { AuditFilterForm, type AuditFilters, NO_AUDIT_FILTERS } from './audit-filters.component';
import { AuditTable } from './audit-table.component';
import { AuditVerify } from './audit-verify.component';

/**
 * Audit (admins): the trail filtered by task, user, category and outcome; and the chain check.
 */
export function AuditView() {
  const { client } = useSession();
  const [applied, setApplied] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [rows, setRows] = useState<Audit.AuditEntry[]>([]);
  const [next, setNext] = useState<number>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  // Only the newest load may fill the table: an unfiltered page answered after the filtered one
  // would otherwise show rows the filters exclude.
  const latest = useRef(0);

  const load = async (before?: number) => {
    const mine = ++latest.current;
    setError(undefined);
    setLoading(true);
    try {
      const q = Object.fromEntries(
        Object.entries(applied).map(([k, v]) => [k, v.trim() || undefined]),
      );
      const page = await client.admin.audit({ ...q, before, limit: 100 });
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

  return (
    <Page id="audit" title="Audit trail">
      <AuditVerify tenantId={applied.tenant_id} />
      <AuditFilterForm
        onProblem={setError}
        onApply={(filters) => {
          // Busy from this render on, so nobody reads the old rows as the filtered ones.
          setLoading(true);
          setApplied(filters);
        }}
      />
      <ErrorNotice error={error} />
      <AuditTable rows={rows} loading={loading} />
      <p role="status" class="muted">
        {rows.length} rows{next ? ', more older ones' : ''}
      </p>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          Older rows
        </button>
      )}
    </Page>
  );
}
