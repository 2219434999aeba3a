import type { Tools } from '@switchboard/contracts';
import { useState } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { FilterForm } from '../components/filter-form.component';
import { JsonView } from '../components/json-view.component';
import { useAction } from '../components/action.hook';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { StatusBadge } from '../components/status-badge.component';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { needsApprovalWords, type PolicyLike } from '../model/approval-policies';
import {
  audienceOf,
  type Catalogue,
  type CatalogueEntry,
  toolsByProvider,
} from '../model/catalogue';
import { formatDateTime } from '../model/format';
import { ApprovalPoliciesPanel } from './approval-policies.component';
import { ToolSearchPanel } from './tool-search.component';
import { ToolTry } from './tool-try.component';

/**
 * Tools & agents: the user's manifest per provider, (admins) the tools' approval policies, provider
 * authorizations, and the remote agents.
 */
export function CatalogView() {
  const { client, me } = useSession();
  const manifest = useLoad(
    (signal): Promise<Catalogue> => client.catalog.tools({}, { signal }),
    [],
  );
  const byProvider = manifest.data ? toolsByProvider(manifest.data) : new Map();
  return (
    <Page id="catalog" title="Tools & agents">
      <ToolSearchPanel />
      <h2>Your tools</h2>
      <ErrorNotice error={manifest.error} />
      {manifest.data && (
        <p class="muted">
          {manifest.data.tools.length} tools offered to you ({manifest.data.mode} mode
          {manifest.data.cached ? ', from the cache' : ''}
          {deferredCount(manifest.data)
            ? `; ${deferredCount(manifest.data)} deferred: a model finds them with search_tools`
            : ''}
          ).
        </p>
      )}
      {[...byProvider].map(([provider, entries]: [string, CatalogueEntry[]]) => (
        <section key={provider} class="provider" aria-label={`Provider ${provider}`}>
          <h3>{provider}</h3>
          <ul class="tools">
            {entries.map((e) =>
              e.configured ? (
                <ToolItem key={e.tool.name} tool={e.tool} />
              ) : (
                <li key={e.name} class="tool" data-tool={e.name} data-configured="false">
                  <strong>{e.title}</strong> <code>{e.name}</code>{' '}
                  <StatusBadge status="not configured" />
                  <p class="muted">{e.reason}</p>
                </li>
              ),
            )}
          </ul>
        </section>
      ))}
      {me.admin && (
        <ApprovalPoliciesPanel
          tools={manifest.data?.tools.map((t) => t.name) ?? []}
          onChanged={manifest.reload}
        />
      )}
      <AuthorizationsPanel />
      <AgentsPanel />
    </Page>
  );
}

function ToolItem({ tool: t }: { tool: Tools.ManifestTool }) {
  return (
    <li class="tool" data-tool={t.name}>
      <strong>{t.title}</strong> <code>{t.name}</code>{' '}
      {t.adminOnly ? (
        <StatusBadge status={audienceOf(t)} />
      ) : (
        <span class="muted">· {audienceOf(t)}</span>
      )}
      {t.deferred && <span class="muted"> · deferred</span>}
      <p>{t.description}</p>
      <ApprovalNote policy={t.approval} />
      <JsonView label="Input schema" value={t.inputSchema} folded />
      {t.outputSchema && <JsonView label="Output schema" value={t.outputSchema} folded />}
      <details class="try">
        <summary>Try {t.name}</summary>
        <ToolTry tool={t} />
      </details>
    </li>
  );
}

/** How many of the offered tools a model is not shown up front (docs/tools.md). */
function deferredCount(catalogue: Catalogue): number {
  return catalogue.tools.filter((t) => t.deferred).length;
}

/** "needs approval: role finance" under a tool or an agent whose calls wait for a person's decision. */
function ApprovalNote({ policy }: { policy?: PolicyLike | undefined }) {
  if (!policy) return null;
  return <p class="approval-note">{needsApprovalWords(policy)}</p>;
}

// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
function AuthorizationsPanel() {
  const { client, me } = useSession();
  const [userId, setUserId] = useState(me.userId);
  const [shown, setShown] = useState(me.userId);
  const { error, run } = useAction();
  const list = useLoad(
    (signal) => client.catalog.authorizations(shown !== me.userId ? shown : undefined, { signal }),
    [shown],
  );
  const change = (provider: string, grant: boolean) =>
    run<unknown>(
      grant ? client.catalog.grant(shown, provider) : client.catalog.revoke(shown, provider),
      list.reload,
    );
  return (
    <section aria-labelledby="auth-title">
      <h2 id="auth-title">Provider authorizations</h2>
      {me.admin ? (
        <FilterForm submit="Show" onApply={() => setShown(userId.trim() || me.userId)}>
          <TextField
            label="User"
            value={userId}
            onInput={(e) => setUserId(e.currentTarget.value)}
            maxLength={128}
          />
        </FilterForm>
      ) : (
        <p class="muted">Your authorizations. Only admins authorize providers or revoke them.</p>
      )}
      <ErrorNotice error={list.error ?? error} />
      {list.data && (
        <DataTable
          class="table"
          caption={<>Providers for {list.data.userId}</>}
          columns={[
            'Provider',
            'Needs authorization',
            'Authorized',
            'Granted',
            me.admin && 'Change',
          ]}
        >
          {list.data.providers.map((p) => {
            const grant = list.data?.grants.find((g) => g.provider === p.provider);
            return (
              <tr key={p.provider}>
                <td>{p.provider}</td>
                <td>{p.requiresAuthorization ? 'yes' : 'no'}</td>
                <td>
                  <StatusBadge
                    status={
                      p.authorized
                        ? 'authorized'
                        : p.requiresAuthorization
                          ? 'not-authorized'
                          : 'not-needed'
                    }
                  />
                </td>
                <td>{grant ? `${formatDateTime(grant.grantedAt)} by ${grant.grantedBy}` : '—'}</td>
                {me.admin && (
                  <td>
                    {/* Only a provider that asks for authorization has one to grant. */}
                    {grant || p.requiresAuthorization ? (
                      <button type="button" onClick={() => void change(p.provider, !grant)}>
                        {grant
                          ? `Revoke ${p.provider} for ${list.data?.userId ?? shown}`
                          : `Authorize ${p.provider} for ${list.data?.userId ?? shown}`}
                      </button>
                    ) : (
                      <span class="muted">not needed</span>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}

function AgentsPanel() {
  const { client } = useSession();
  const agents = useLoad((signal) => client.catalog.agents({ signal }), []);
  const presence = useLoad((signal) => client.catalog.presence({ signal }), []);
  const peerOf = (name: string) => presence.data?.agents.find((a) => a.name === name);
  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">Remote agents</h2>
      <ErrorNotice error={agents.error ?? presence.error} />
      {presence.data?.bridge && (
        <p>
          XMPP bridge: <StatusBadge status={presence.data.bridge.state} />
          {presence.data.bridge.jid ? (
            <span class="muted"> as {presence.data.bridge.jid}</span>
          ) : null}
        </p>
      )}
      {agents.data?.agents.length === 0 && <p class="muted">No agents you may use.</p>}
      <ul class="agents">
        {agents.data?.agents.map((a) => {
          const peer = peerOf(a.name);
          return (
            <li key={a.name} class="agent" data-agent={a.name}>
              <h3>
                {a.name}{' '}
                <span class={`transport transport-${a.transport}`} data-transport={a.transport}>
                  {a.transport.toUpperCase()}
                </span>{' '}
                <StatusBadge status={a.available ? 'available' : 'unavailable'} />
              </h3>
              <p>{a.description}</p>
              <ApprovalNote policy={a.approval} />
              <p class="muted">
                {a.baseUrl}
                {a.protocolVersion ? ` · A2A ${a.protocolVersion}` : ''}
                {a.circuit ? ` · circuit ${a.circuit}` : ''}
                {a.problem ? ` · ${a.problem}` : ''}
              </p>
              {a.transport === 'xmpp' && (
                <p>
                  XMPP peer {peer?.jid ?? 'not mapped'}:{' '}
                  <StatusBadge status={peer?.online ? 'online' : 'offline'} />
                </p>
              )}
              {a.skills.length > 0 && <p>Skills: {a.skills.map((s) => s.name).join(', ')}</p>}
              {a.card && <JsonView label="Agent card" value={a.card} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
