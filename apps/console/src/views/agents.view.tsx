import { useState } from 'preact/hooks';
import { SelectField, versionOptions } from '../components/select-field.component';
import { useAction } from '../components/action.hook';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';
import { LabelControls } from './agent-labels.component';
import {
  type AgentView,
  type AgentVersionView,
  changeValue,
  labelsOf,
  splitWords,
  toolsWords,
} from '../model/agents';

/**
 * Agent versions (docs/agents.md): the tenant's agents with their labels and canary splits, one
 * agent's versions, and what changed between two of them. An admin may make an agent the default.
 */
export function AgentsView() {
  const { client } = useSession();
  const list = useLoad(async (signal) => (await client.agentConfigs.list({ signal })).agents, []);
  const [chosen, setChosen] = useState<string>();
  const agents = list.data ?? [];
  const agent = agents.find((a) => a.agent === chosen) ?? agents[0];
  return (
    <Page id="agents" title="Agents">
      <p class="muted">
        An agent is a versioned configuration: instructions, model, the tools it may use. Labels
        point at versions; a task runs the version its label points at when it starts, and its stamp
        says which.
      </p>
      <ErrorNotice error={list.error} />
      {agents.length === 0 && !list.loading && <p class="muted agents-none">No agents yet.</p>}
      <ul class="agent-configs">
        {agents.map((a) => (
          <AgentRow
            key={a.agent}
            agent={a}
            selected={a.agent === agent?.agent}
            onSelect={() => setChosen(a.agent)}
            onChanged={list.reload}
          />
        ))}
      </ul>
      {agent && <Versions key={agent.agent} agent={agent} />}
    </Page>
  );
}

function AgentRow(props: {
  agent: AgentView;
  selected: boolean;
  onSelect: () => void;
  onChanged: () => void;
}) {
  const { agent: a, selected } = props;
  const { client, me } = useSession();
  const { error, run } = useAction();
  const toggleDefault = () =>
    void run(client.agentConfigs.setDefault(a.agent, !a.isDefault), props.onChanged);
  return (
    <li class={selected ? 'agent-config selected' : 'agent-config'} data-agent={a.agent}>
      <h2>
        <button type="button" class="link" aria-pressed={selected} onClick={props.onSelect}>
          {a.agent}
        </button>{' '}
        {a.isDefault && <span class="badge">default</span>}
      </h2>
      {a.description && <p>{a.description}</p>}
      <p class="muted">
        {a.latestVersion} version{a.latestVersion === 1 ? '' : 's'} · since{' '}
        {formatDateTime(a.createdAt)}
      </p>
      <ul class="agent-labels">
        {a.labels.map((l) => (
          <li key={l.label} data-label={l.label}>
            {splitWords(l)}
          </li>
        ))}
      </ul>
      {me.admin && selected && <LabelControls agent={a} onChanged={props.onChanged} />}
      {me.admin && (
        <button type="button" class="secondary" onClick={toggleDefault}>
          {a.isDefault ? 'Stop being the default' : 'Make the default'}
        </button>
      )}
      <ErrorNotice error={error} />
    </li>
  );
}

function Versions({ agent }: { agent: AgentView }) {
  const { client } = useSession();
  const versions = useLoad(
    async (signal) => (await client.agentConfigs.versions(agent.agent, { signal })).versions,
    [agent.agent],
  );
  const list = versions.data ?? [];
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions of {agent.agent}</h2>
      <ErrorNotice error={versions.error} />
      <table class="agent-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Labels</th>
            <th>Model</th>
            <th>Tools</th>
            <th>Note</th>
            <th>Made</th>
          </tr>
        </thead>
        <tbody>
          {list.map((v) => (
            <tr key={v.versionId} data-version={v.version}>
              <td>v{v.version}</td>
              <td>{labelsOf(agent, v.version).join(', ')}</td>
              <td>{v.config.model.name}</td>
              <td>{toolsWords(v.config)}</td>
              <td>{v.note ?? ''}</td>
              <td>
                {formatDateTime(v.createdAt)} by {v.createdBy}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length > 1 && <Diff agent={agent.agent} versions={list} />}
    </section>
  );
}

function Diff({ agent, versions }: { agent: string; versions: AgentVersionView[] }) {
  const { client } = useSession();
  const newest = versions[0]?.version ?? 1;
  const [from, setFrom] = useState(versions[1]?.version ?? newest);
  const [to, setTo] = useState(newest);
  const diff = useLoad(
    (signal) => client.agentConfigs.diff(agent, from, to, { signal }),
    [agent, from, to],
  );
  const options = versionOptions(versions.map((v) => v.version));
  const pick = (value: number, set: (n: number) => void, name: string) => (
    <SelectField
      label={name}
      value={String(value)}
      options={options}
      onChange={(e) => set(Number(e.currentTarget.value))}
    />
  );
  const changes = diff.data?.changes ?? [];
  return (
    <section aria-labelledby="diff-title" class="agent-diff">
      <h3 id="diff-title">Compare</h3>
      {pick(from, setFrom, 'From')}
      {pick(to, setTo, 'To')}
      <ErrorNotice error={diff.error} />
      {diff.data && changes.length === 0 && <p class="muted">No difference.</p>}
      <ul class="agent-changes">
        {changes.map((c) => (
          <li key={c.path} data-path={c.path}>
            <code>{c.path}</code>: <del>{changeValue(c.from)}</del> → <ins>{changeValue(c.to)}</ins>
          </li>
        ))}
      </ul>
    </section>
  );
}
