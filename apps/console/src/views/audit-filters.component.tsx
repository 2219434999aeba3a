import { useState } from 'preact/hooks';
import { useSession } from '../context';
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

export interface AuditFilters {
  task_id: string;
  user_id: string;
  category: string;
  outcome: string;
  action: string;
  /** The platform operator's: one tenant's rows, and that tenant's chain to verify. */
  tenant_id: string;
}
export const NO_AUDIT_FILTERS: AuditFilters = {
  task_id: '',
  user_id: '',
  category: '',
  outcome: '',
  action: '',
  tenant_id: '',
};

/**
 * The audit trail's filters. Apply hands a new object each time, so Apply with unchanged filters
 * loads the newest rows again; a malformed tenant id is refused here, naming the field.
 */
export function AuditFilterForm(props: {
  onApply: (filters: AuditFilters) => void;
  onProblem: (problem: string | undefined) => void;
}) {
  const { me } = useSession();
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const set = (k: keyof AuditFilters) => (e: { currentTarget: { value: string } }) =>
    setFilters({ ...filters, [k]: e.currentTarget.value });
  return (
    <form
      class="filters"
      aria-label="Filter the audit trail"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = tenantProblem(filters.tenant_id);
        props.onProblem(problem && `Tenant: ${problem}`);
        if (!problem) props.onApply({ ...filters });
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
  );
}
