import type { Audit } from '@switchboard/contracts';
import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { usePagedList } from '../components/paged-list.hook';
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
  const list = usePagedList<Audit.AuditEntry, number>(
    async (before) => {
      const q = Object.fromEntries(
        Object.entries(applied).map(([k, v]) => [k, v.trim() || undefined]),
      );
      const page = await client.admin.audit({ ...q, before, limit: 100 });
      return { rows: page.entries, next: page.nextBefore };
    },
    [applied],
  );
  const { rows, next } = list;

  return (
    <Page id="audit" title="Audit trail">
      <AuditVerify tenantId={applied.tenant_id} />
      <AuditFilterForm
        onProblem={list.setError}
        onApply={(filters) => {
          // Busy from this render on, so nobody reads the old rows as the filtered ones.
          list.busy();
          setApplied(filters);
        }}
      />
      <ErrorNotice error={list.error} />
      <AuditTable rows={rows} loading={list.loading} />
      <p role="status" class="muted">
        {rows.length} rows{next ? ', more older ones' : ''}
      </p>
      {next && (
        <button type="button" onClick={list.older}>
          Older rows
        </button>
      )}
    </Page>
  );
}
