import { useState } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { describeError, useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice, ProblemsNotice } from '../components/notice.component';
import { useSession } from '../context';
import { problemLines } from '../model/approval-policies';
import {
  apiFieldProblems,
  type FieldProblem,
  fieldOf,
  LIMITS,
  type QuotaForm,
  quotaBody,
  quotaFormOf,
  type QuotaScope,
  problemOf,
  quotaChangedWords,
  quotaNowWords,
  type TenantQuotaView,
} from '../model/quota-form';
import { PLATFORM_QUOTA } from '../model/tenant';

/** Whose quota the editor is on: the tenant shown, or the platform default (`*`). */
type Target = 'tenant' | 'platform';

const whoseWords = (name: string) =>
  name === PLATFORM_QUOTA ? 'the platform default (*)' : `tenant ${name}`;

/**
 * The platform operator's quota editor: a tenant's own quota or the platform default (`*`, every
 * tenant without its own), read with `GET /tenants/{t}/quotas`, set with PUT, removed with DELETE.
 */
export function QuotaEditor({ tenant, onChanged }: { tenant: string; onChanged: () => void }) {
  const { client } = useSession();
  const [target, setTarget] = useState<Target>('tenant');
  const [last, setLast] = useState<TenantQuotaView>();
  const name = target === 'platform' ? PLATFORM_QUOTA : tenant;
  const current = useLoad((signal) => client.usage.quota(name, { signal }), [name]);
  const changed = (v: TenantQuotaView) => {
    setLast(v);
    current.reload();
    onChanged();
  };
  const view = current.data?.tenantId === name ? current.data : undefined;
  return (
    <section aria-labelledby="quota-title" class="quota-editor">
      <h2 id="quota-title">Quotas</h2>
      <fieldset class="quota-target">
        <legend>Edit the quota of</legend>
        {(['tenant', 'platform'] as const).map((t) => (
          <label key={t} class="check">
            <input
              type="radio"
              name="quota-target"
              checked={target === t}
              onChange={() => {
                setTarget(t);
                setLast(undefined);
              }}
            />
            {t === 'tenant'
              ? `tenant ${tenant}`
              : 'the platform default (*): every tenant without a quota of its own'}
          </label>
        ))}
      </fieldset>
      {last && <OkNotice class="quota-last">{quotaChangedWords(last)}</OkNotice>}
      <ErrorNotice error={current.error} />
      {view && (
        <QuotaFormPanel
          key={`${name}:${JSON.stringify(view)}`}
          name={name}
          view={view}
          onChanged={changed}
        />
      )}
    </section>
  );
}

function QuotaFormPanel(p: {
  name: string;
  view: TenantQuotaView;
  onChanged: (v: TenantQuotaView) => void;
}) {
  const { client } = useSession();
  const [form, setForm] = useState<QuotaForm>(() => quotaFormOf(p.view.quota));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const own = p.name === PLATFORM_QUOTA ? p.view.source === 'platform' : p.view.source === 'tenant';
  const send = async (change: () => Promise<TenantQuotaView>) => {
    setBusy(true);
    setError(undefined);
    try {
      p.onChanged(await change());
    } catch (e) {
      const fields = apiFieldProblems(e);
      setProblems(fields);
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const save = () => {
    const parsed = quotaBody(form);
    setProblems(parsed.ok ? [] : parsed.problems);
    setError(undefined);
    if (parsed.ok) void send(() => client.usage.setQuota(p.name, parsed.body));
  };
  return (
    <form
      class="quota-form"
      aria-label={`Quota of ${whoseWords(p.name)}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <p class="quota-now">{quotaNowWords(p.name, p.view)}</p>
      <p class="muted">
        Empty means unlimited. Counts are whole numbers of at least 1; cost is US dollars (0: no
        spending at all). Every field empty is a quota that limits nothing but counts usage.
      </p>
      <LimitsTable form={form} problems={problems} onChange={setForm} />
      <ProblemList problems={problems} error={error} />
      <div class="approval-buttons">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save quota'}
        </button>
        {own && (
          <button
            type="button"
            class="danger"
            disabled={busy}
            onClick={() => void send(() => client.usage.removeQuota(p.name))}
          >
            {p.name === PLATFORM_QUOTA
              ? 'Remove the platform default'
              : `Remove the quota of ${p.name}`}
          </button>
        )}
      </div>
    </form>
  );
}

/** The problems the form or the API found: each naming its field, then the API's message. */
function ProblemList({
  problems,
  error,
}: {
  problems: FieldProblem[];
  error?: string | undefined;
}) {
  return (
    <ProblemsNotice
      class="quota-problems"
      lines={[...problemLines(problems), ...(error ? [error] : [])]}
    />
  );
}

/** One row per limit, a field for the tenant and one for each user; a field's problem under it. */
function LimitsTable(p: {
  form: QuotaForm;
  problems: FieldProblem[];
  onChange: (f: QuotaForm) => void;
}) {
  const cell = (scope: QuotaScope, quota: (typeof LIMITS)[number]['quota'], label: string) => {
    const field = fieldOf(scope, quota);
    const problem = problemOf(p.problems, field);
    const id = `quota-${field.replace('.', '-')}`;
    return (
      <td>
        <input
          id={id}
          class="quota-input"
          inputMode={quota === 'costPerDayUsd' ? 'decimal' : 'numeric'}
          size={12}
          value={p.form[scope][quota]}
          aria-label={`${label}, ${scope === 'tenant' ? 'tenant' : 'each user'}`}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onInput={(e) =>
            p.onChange({ ...p.form, [scope]: { ...p.form[scope], [quota]: e.currentTarget.value } })
          }
        />
        {problem && (
          <span id={`${id}-problem`} class="field-problem">
            {problem}
          </span>
        )}
      </td>
    );
  };
  return (
    <DataTable
      class="table quota-table"
      caption="Limits of the tenant and of each user"
      columns={['Limit', 'Tenant (all its users together)', 'Each user']}
    >
      {LIMITS.map(({ quota, label }) => (
        <tr key={quota} data-quota={quota}>
          <th scope="row">{label}</th>
          {cell('tenant', quota, label)}
          {cell('perUser', quota, label)}
        </tr>
      ))}
    </DataTable>
  );
}
