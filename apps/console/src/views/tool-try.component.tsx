import type { Tools } from '@switchboard/contracts';
import { useMemo, useState } from 'preact/hooks';
import { callTool, type ToolOutcome } from '../api/mcp.client';
import { CheckField } from '../components/check-field.component';
import { JsonView } from '../components/json-view.component';
import { describeError } from '../components/load.hook';
import { useSession } from '../context';
import { type ToolField, type ToolFormValues, toolArguments, toolFields } from '../model/tool-form';

/**
 * Try a tool: a form built from its input schema that calls it through the platform's MCP endpoint,
 * as the user — the same checks as for their agents — and shows the result or the error.
 */
export function ToolTry({ tool }: { tool: Tools.ManifestTool }) {
  const { client, headers } = useSession();
  const fields = useMemo(() => toolFields(tool.inputSchema), [tool.inputSchema]);
  const [values, setValues] = useState<ToolFormValues>({});
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ToolOutcome>();

  const submit = async () => {
    const parsed = toolArguments(fields, values);
    setOutcome(undefined);
    if (!parsed.ok) return setProblems(parsed.problems);
    setProblems([]);
    setBusy(true);
    try {
      setOutcome(await callTool({ url: client.url('mcp'), headers }, tool.name, parsed.args));
    } catch (e) {
      setOutcome({ ok: false, message: describeError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="try-form"
      aria-label={`Try ${tool.name}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {fields.length === 0 && <p class="muted">This tool takes no arguments.</p>}
      {fields.map((f) => (
        <FieldInput
          key={f.name}
          id={`try-${tool.name}-${f.name}`}
          field={f}
          value={values[f.name]}
          onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
        />
      ))}
      <button type="submit" disabled={busy}>
        {busy ? 'Calling…' : `Call ${tool.name}`}
      </button>
      {problems.length > 0 && (
        <ul class="error try-problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div class="try-outcome" aria-live="polite">
        {outcome?.ok === true && (
          <div data-outcome="result">
            <JsonView label="Result" value={outcome.structured ?? outcome.text} />
          </div>
        )}
        {outcome?.ok === false && (
          <p class="error" data-outcome="error">
            {outcome.code ? <code>{outcome.code}</code> : null} {outcome.message}
          </p>
        )}
      </div>
    </form>
  );
}

function FieldInput({
  id,
  field: f,
  value,
  onChange,
}: {
  id: string;
  field: ToolField;
  value: string | boolean | undefined;
  onChange: (v: string | boolean) => void;
}) {
  const label = `${f.name}${f.required ? ' (required)' : ''}`;
  const hint = f.description ? <span class="muted"> — {f.description}</span> : null;
  if (f.kind === 'boolean')
    return (
      <CheckField class="try-field" checked={value === true} onChange={onChange}>
        {label}
        {hint}
      </CheckField>
    );
  const text = typeof value === 'string' ? value : '';
  return (
    <div class="try-field">
      <label for={id}>
        {label}
        {f.kind === 'json' ? ' (JSON)' : ''}
        {hint}
      </label>
      {f.kind === 'enum' ? (
        <select id={id} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">—</option>
          {f.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : f.kind === 'json' ? (
        <textarea id={id} rows={3} value={text} onInput={(e) => onChange(e.currentTarget.value)} />
      ) : (
        <input
          id={id}
          inputMode={f.kind === 'string' ? undefined : 'decimal'}
          value={text}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
      )}
    </div>
  );
}
