import { useEffect, useRef, useState } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { FormButtons } from '../components/form-buttons.component';
import { plainOptions, SelectField } from '../components/select-field.component';
import { describeError, useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice, ProblemsNotice } from '../components/notice.component';
import { useSession } from '../context';
import {
  approversWords,
  changedWords,
  durationWords,
  EXPIRY_UNITS,
  type ExpiryUnit,
  formOf,
  onExpiryWords,
  type PolicyEntry,
  type PolicyForm,
  policyBody,
  type PolicyLike,
  type PolicyState,
  problemLines,
  sortedPolicies,
  sourceWords,
  toolNameProblem,
} from '../model/approval-policies';
import { formatDateTime } from '../model/format';

const UNIT_OPTIONS = plainOptions(EXPIRY_UNITS);

const ON_EXPIRY_OPTIONS = [
  { value: 'reject', label: 'reject the call' },
  { value: 'fail', label: 'fail the task' },
];

/** What the editor is open on: a listed tool's policy, or a new one for a tool named in the form. */
type Editing = { tool: string; policy: PolicyLike } | { tool?: undefined; policy?: undefined };

/**
 * Approval policies (admins): every tool whose calls wait for a person's decision, with who decides,
 * the expiry and where the policy comes from (`GET /approval-policies`); Edit sets an admin's override
 * (`PUT /approval-policies/{tool}`), Remove override goes back to the definition's. The API checks
 * the admin rule and the policy itself; what it refuses is shown with its message.
 */
export function ApprovalPoliciesPanel({
  tools,
  onChanged,
}: {
  /** The tool names the manifest offers, suggested when adding a policy. */
  tools: readonly string[];
  onChanged: () => void;
}) {
  const { client } = useSession();
  const list = useLoad(
    async (signal) => (await client.approvals.policies({ signal })).policies,
    [],
  );
  const [editing, setEditing] = useState<Editing>();
  const [last, setLast] = useState<PolicyState>();
  const [error, setError] = useState<string>();
  const changed = (state: PolicyState) => {
    setLast(state);
    setEditing(undefined);
    list.reload();
    onChanged();
  };
  const remove = async (tool: string) => {
    setError(undefined);
    try {
      changed(await client.approvals.setPolicy(tool, null));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <section aria-labelledby="policies-title" class="policies">
      <h2 id="policies-title">Approval policies</h2>
      <p class="muted">
        The tools whose calls wait for a person's decision (admins may decide any). An override
        replaces the policy of the tool's definition until it is removed.
      </p>
      {last && <OkNotice class="policy-last">{changedWords(last)}</OkNotice>}
      <ErrorNotice error={list.error ?? error} />
      {list.data && (
        <PoliciesTable
          entries={sortedPolicies(list.data)}
          onEdit={(e) => setEditing({ tool: e.tool, policy: e.policy })}
          onRemove={(tool) => void remove(tool)}
        />
      )}
      {editing ? (
        <PolicyEditor
          key={editing.tool ?? 'new'}
          tool={editing.tool}
          policy={editing.policy}
          tools={tools}
          onSaved={changed}
          onCancel={() => setEditing(undefined)}
        />
      ) : (
        <p>
          <button type="button" class="secondary" onClick={() => setEditing({})}>
            Add a policy
          </button>
        </p>
      )}
    </section>
  );
}

function PoliciesTable({
  entries,
  onEdit,
  onRemove,
}: {
  entries: PolicyEntry[];
  onEdit: (e: PolicyEntry) => void;
  onRemove: (tool: string) => void;
}) {
  if (entries.length === 0) return <p class="muted">No tool needs approval.</p>;
  return (
    <DataTable
      class="table policies-table"
      caption="Tools whose calls need approval"
      columns={['Tool', 'Who approves', 'Expires after', 'On expiry', 'Source', 'Change']}
    >
      {entries.map((e) => (
        <tr key={e.tool} data-policy-tool={e.tool} data-source={e.source}>
          <th scope="row">
            <code>{e.tool}</code>
          </th>
          <td class="policy-who">{approversWords(e.policy)}</td>
          <td>{durationWords(e.policy.expiresInMs)}</td>
          <td>{onExpiryWords(e.policy.onExpiry)}</td>
          <td class="policy-source">
            {sourceWords(e)}
            {e.setAt && (
              <span class="muted">
                , <time dateTime={e.setAt}>{formatDateTime(e.setAt)}</time>
              </span>
            )}
          </td>
          <td class="policy-actions">
            <button type="button" class="secondary" onClick={() => onEdit(e)}>
              Edit <span class="sr-only">{e.tool}</span>
            </button>
            {e.source === 'override' && (
              <button type="button" class="danger" onClick={() => onRemove(e.tool)}>
                Remove override <span class="sr-only">of {e.tool}</span>
              </button>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * The policy as a form: who approves, four eyes, the expiry and what it does. Checked here first
 * (each problem naming the policy's field); then the API's refusal, if any, with its message.
 */
function PolicyEditor(p: {
  tool?: string | undefined;
  policy?: PolicyLike | undefined;
  tools: readonly string[];
  onSaved: (s: PolicyState) => void;
  onCancel: () => void;
}) {
  const { client } = useSession();
  const [tool, setTool] = useState(p.tool ?? '');
  const [form, setForm] = useState<PolicyForm>(() => formOf(p.policy));
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const save = async () => {
    const parsed = policyBody(form);
    const toolProblem = p.tool === undefined ? toolNameProblem(tool) : undefined;
    const lines = [
      ...(toolProblem ? [toolProblem] : []),
      ...(parsed.ok ? [] : problemLines(parsed.problems)),
    ];
    setProblems(lines);
    if (lines.length > 0 || !parsed.ok) return;
    setBusy(true);
    try {
      p.onSaved(await client.approvals.setPolicy((p.tool ?? tool).trim(), parsed.body.policy));
    } catch (e) {
      setProblems([describeError(e)]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="policy-form"
      aria-labelledby="policy-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id="policy-form-title" tabIndex={-1} ref={heading}>
        {p.tool ? `Policy of ${p.tool}` : 'Add a policy'}
      </h3>
      <p class="muted">Saving sets an override; Remove override goes back to the definition's.</p>
      {p.tool === undefined && <ToolField value={tool} tools={p.tools} onInput={setTool} />}
      <PolicyFields form={form} onChange={(f) => setForm({ ...form, ...f })} />
      <ProblemsNotice class="policy-problems" lines={problems} />
      <FormButtons
        busy={busy}
        label="Save policy"
        busyLabel="Saving…"
        backLabel="Cancel"
        onBack={p.onCancel}
      />
    </form>
  );
}

function ToolField(p: { value: string; tools: readonly string[]; onInput: (v: string) => void }) {
  return (
    <label class="field">
      Tool
      <input
        value={p.value}
        list="policy-tools"
        maxLength={128}
        spellcheck={false}
        onInput={(e) => p.onInput(e.currentTarget.value)}
      />
      <datalist id="policy-tools">
        {p.tools.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </label>
  );
}

type FieldsProps = { form: PolicyForm; onChange: (f: Partial<PolicyForm>) => void };

/** One policy's fields: who approves, then expiry. */
function PolicyFields(p: FieldsProps) {
  return (
    <>
      <ApproverFields {...p} />
      <ExpiryFields {...p} />
    </>
  );
}

/** A comma-separated list of names (roles, users). */
function NamesField(p: { label: string; value: string; onInput: (v: string) => void }) {
  return (
    <label class="field">
      {p.label} <span class="muted">(comma-separated)</span>
      <input value={p.value} spellcheck={false} onInput={(e) => p.onInput(e.currentTarget.value)} />
    </label>
  );
}

/** Who may decide: the requester, roles, users, and whether the requester is never one (four eyes). */
function ApproverFields({ form: f, onChange }: FieldsProps) {
  return (
    <fieldset>
      <legend>Who approves</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={f.requester}
          onChange={(e) => onChange({ requester: e.currentTarget.checked })}
        />
        The requester (the user whose task made the call)
      </label>
      <NamesField label="Roles" value={f.roles} onInput={(roles) => onChange({ roles })} />
      <NamesField label="Users" value={f.users} onInput={(users) => onChange({ users })} />
      <label class="check">
        <input
          type="checkbox"
          checked={f.fourEyes}
          onChange={(e) => onChange({ fourEyes: e.currentTarget.checked })}
        />
        Four eyes: never the requester, whatever roles they hold
      </label>
    </fieldset>
  );
}

/** How long a request stays open and what its expiry means. */
function ExpiryFields({ form: f, onChange }: FieldsProps) {
  return (
    <div class="filters">
      <label>
        Expires after
        <input
          type="text"
          inputMode="decimal"
          size={6}
          value={f.expiresIn}
          onInput={(e) => onChange({ expiresIn: e.currentTarget.value })}
        />
      </label>
      <SelectField
        label="Unit"
        value={f.expiresUnit}
        options={UNIT_OPTIONS}
        onChange={(e) => onChange({ expiresUnit: e.currentTarget.value as ExpiryUnit })}
      />
      <SelectField
        label="On expiry"
        value={f.onExpiry}
        options={ON_EXPIRY_OPTIONS}
        onChange={(e) =>
          onChange({ onExpiry: e.currentTarget.value === 'fail' ? 'fail' : 'reject' })
        }
      />
    </div>
  );
}
