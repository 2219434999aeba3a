import { SelectField, versionOptions } from '../components/select-field.component';
import { useAction } from '../components/action.hook';
import { useFormFields } from '../components/form-fields.hook';
import { ErrorNotice } from '../components/notice.component';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { type AgentView, canaryOf, type LabelForm, labelMove } from '../model/agents';

/**
 * An admin's label controls (docs/agents.md): point a label at a version (the release and the
 * rollback), split its traffic with a second version by weight (a canary), or end the split.
 */
export function LabelControls({ agent, onChanged }: { agent: AgentView; onChanged: () => void }) {
  const { client } = useSession();
  const first = agent.labels[0];
  const { form, text, choice } = useFormFields<LabelForm>({
    label: first?.label ?? 'production',
    version: String(agent.latestVersion),
    weight: '10',
  });
  const { error, setError, run } = useAction();
  const current = agent.labels.find((l) => l.label === form.label.trim());
  const act = (call: () => Promise<unknown>) => {
    setError(undefined);
    void run(call(), onChanged);
  };
  const move = () => {
    const m = labelMove(form);
    if (!m.ok) return setError(m.error);
    act(() => client.agentConfigs.moveLabel(agent.agent, m.label, m.version));
  };
  const split = () => {
    const c = canaryOf(form, current);
    if (!c.ok) return setError(c.error);
    act(() => client.agentConfigs.setCanary(agent.agent, c.label, c.canary));
  };
  const clear = () =>
    act(() => client.agentConfigs.setCanary(agent.agent, form.label.trim(), null));
  const versions = Array.from({ length: agent.latestVersion }, (_, i) => agent.latestVersion - i);
  return (
    <fieldset class="label-controls">
      <legend>Labels of {agent.agent}</legend>
      <TextField label="Label" list={`labels-${agent.agent}`} {...text('label')} />
      <datalist id={`labels-${agent.agent}`}>
        {agent.labels.map((l) => (
          <option key={l.label} value={l.label} />
        ))}
      </datalist>{' '}
      <SelectField label="Version" options={versionOptions(versions)} {...choice('version')} />{' '}
      <button type="button" onClick={move}>
        Move label
      </button>{' '}
      <TextField label="Canary weight (%)" inputMode="numeric" size={3} {...text('weight')} />{' '}
      <button type="button" onClick={split}>
        Set canary
      </button>
      {current?.canary && (
        <>
          {' '}
          <button type="button" class="secondary" onClick={clear}>
            Clear canary
          </button>
        </>
      )}
      <ErrorNotice error={error} />
    </fieldset>
  );
}
