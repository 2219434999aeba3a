import type { Audit } from '@switchboard/contracts';
import { DataTable } from '../components/data-table.component';
import { JsonView } from '../components/json-view.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';

/** The audit rows, newest first; `aria-busy` while the rows of the filters last applied load. */
export function AuditTable(props: { rows: Audit.AuditEntry[]; loading: boolean }) {
  const { me } = useSession();
  const { rows, loading } = props;
  return (
    <DataTable
      class="table audit"
      caption="Audit rows, newest first"
      busy={loading}
      columns={[
        'Seq',
        me.platformAdmin && 'Tenant',
        'Time',
        'Category',
        'Action',
        'Outcome',
        'Actor',
        'Details',
      ]}
    >
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
    </DataTable>
  );
}
