import type { Audit } from '@switchboard/contracts';
import {
  ANY_OPTION,
  plainOptions,
  SelectField,
  type SelectOption,
} from '../components/select-field.component';
import { FilterForm } from '../components/filter-form.component';
import { useFormFields } from '../components/form-fields.hook';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { tenantProblem } from '../model/tenant';

/** A filter's drop-down: any, then each of the kinds. */
function optionsOf(kinds: Record<string, true>): SelectOption[] {
  return [ANY_OPTION, ...plainOptions(Object.keys(kinds))];
}

// The contracts' categories and outcomes, in the order the filter offers them: keyed by their types,
// so one the contracts add is a type error here until the filter offers it too.
const CATEGORIES = optionsOf({
  auth: true,
  request: true,
  task: true,
  tool: true,
  delegation: true,
  guardrail: true,
  approval: true,
  webhook: true,
  schedule: true,
  admin: true,
  error: true,
} satisfies Record<Audit.AuditCategory, true>);
const OUTCOMES = optionsOf({
  success: true,
  failure: true,
  denied: true,
} satisfies Record<Audit.AuditOutcome, true>);

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
  const { form: filters, text, choice } = useFormFields<AuditFilters>(NO_AUDIT_FILTERS);
  return (
    <FilterForm
      label="Filter the audit trail"
      onApply={() => {
        const problem = tenantProblem(filters.tenant_id);
        props.onProblem(problem && `Tenant: ${problem}`);
        if (!problem) props.onApply({ ...filters });
      }}
    >
      {me.platformAdmin && (
        <TextField
          label="Tenant"
          maxLength={64}
          placeholder="every tenant"
          {...text('tenant_id')}
        />
      )}
      <TextField label="Task id" maxLength={36} {...text('task_id')} />
      <TextField label="User" maxLength={128} {...text('user_id')} />
      <SelectField label="Category" options={CATEGORIES} {...choice('category')} />
      <SelectField label="Outcome" options={OUTCOMES} {...choice('outcome')} />
      <TextField label="Action" maxLength={100} placeholder="task.submit" {...text('action')} />
    </FilterForm>
  );
}
