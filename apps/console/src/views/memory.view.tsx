import { useState } from 'preact/hooks';
import { SelectField } from '../components/select-field.component';
import { useAction } from '../components/action.hook';
import { useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { RefreshBar } from '../components/refresh-bar.component';
import { useSession } from '../context';
import {
  itemForgottenWords,
  keyLabelOf,
  type MemoryItem,
  NAMESPACE_CHOICES,
  type Namespace,
  type NamespaceKind,
  namespaceOf,
  namespaceWords,
  type RecalledMemory,
} from '../model/memory';
import { ForgetConfirm, ForgetUser, ForgottenNotice, useForgetUser } from './forget-user.component';
import { ItemList } from './memory-items.component';

/**
 * Long-term memory (docs/memory.md): the items of a namespace (the user's own by default), a search
 * over everything the user may read, editing and forgetting one item, "Forget me", and for admins
 * "Forget a user". mcp-tools decides every right; a refusal is shown with the API's message.
 */
export function MemoryView() {
  const { client, me } = useSession();
  const [ns, setNs] = useState<Namespace>({ kind: 'user', key: me.userId });
  const list = useLoad(
    async (signal) => (await client.memory.list({ ...ns, limit: 100 }, { signal })).items,
    [ns.kind, ns.key],
  );
  const [forgotten, setForgotten] = useState<string>();
  const [edited, setEdited] = useState<string>();
  const { error, setError, run } = useAction();
  const [found, setFound] = useState<RecalledMemory[]>();
  const forget = (id: string) =>
    run(client.memory.forget(id), (r) => {
      setForgotten(itemForgottenWords(r));
      setEdited(undefined);
      setFound((f) => f?.filter((i) => i.id !== id));
      list.reload();
    });
  const onEdited = (item: MemoryItem) => {
    setEdited(
      "Saved. Tasks recall the new text from now on; tasks' run records keep what they recalled.",
    );
    setForgotten(undefined);
    setError(undefined);
    setFound((f) => f?.map((i) => (i.id === item.id ? { ...i, ...item } : i)));
    list.reload();
  };
  // A refused namespace shows no items (the loader keeps the last list it had).
  const items = list.error ? [] : (list.data ?? []);
  return (
    <Page id="memory" title="Memory">
      <p class="muted">
        What agents remember beyond a conversation: what you asked them to remember (your own
        memory), a thread's, an agent's and the tenant's shared memory. Tasks recall from it before
        they plan; forgetting an item empties what tasks' run records recalled of it too.
      </p>
      <NamespacePicker current={ns} onPick={setNs} />
      <RefreshBar
        loaded={list}
        countClass="memory-count"
        count={
          list.error
            ? `Could not list ${namespaceWords(ns)}`
            : `${items.length} item${items.length === 1 ? '' : 's'} in ${namespaceWords(ns)}`
        }
      />
      <OkNotice class="memory-forgotten">{forgotten}</OkNotice>
      <OkNotice class="memory-edited">{edited}</OkNotice>
      <ErrorNotice error={error ?? list.error} />
      {list.data && !list.error && items.length === 0 && (
        <p class="muted memory-none">Nothing remembered.</p>
      )}
      <ItemList items={items} label="Items" onForget={forget} onEdited={onEdited} />
      <Search found={found} onFound={setFound} onForget={forget} onEdited={onEdited} />
      <ForgetMe onForgotten={list.reload} />
      {me.admin && <ForgetUser onForgotten={list.reload} />}
    </Page>
  );
}

const NAMESPACE_OPTIONS = NAMESPACE_CHOICES.map((c) => ({ value: c.kind, label: c.label }));

function NamespacePicker({
  current,
  onPick,
}: {
  current: Namespace;
  onPick: (ns: Namespace) => void;
}) {
  const { me } = useSession();
  const [kind, setKind] = useState<NamespaceKind>(current.kind);
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string>();
  const submit = (e: Event) => {
    e.preventDefault();
    const checked = namespaceOf(kind, key, me.userId);
    if (!checked.ok) return setProblem(checked.problem);
    setProblem(undefined);
    onPick(checked.namespace);
  };
  return (
    <form class="memory-namespace list-bar" onSubmit={submit} aria-label="Namespace">
      <SelectField
        label="Namespace"
        value={kind}
        options={NAMESPACE_OPTIONS}
        onChange={(e) => setKind(e.currentTarget.value as NamespaceKind)}
      />
      <label>
        {keyLabelOf(kind)}
        <input
          value={key}
          placeholder={kind === 'user' ? me.userId : ''}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Show</button>
      {problem && (
        <span class="notice notice-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

function Search({
  found,
  onFound,
  onForget,
  onEdited,
}: {
  found: RecalledMemory[] | undefined;
  onFound: (items: RecalledMemory[] | undefined) => void;
  onForget: (id: string) => Promise<unknown>;
  onEdited: (item: MemoryItem) => void;
}) {
  const { client } = useSession();
  const [q, setQ] = useState('');
  const { error, setError, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return setError('Type what to look for.');
    void run(client.memory.search(q.trim(), { limit: 50 }), ({ items }) => onFound(items));
  };
  return (
    <section aria-labelledby="memory-search-title">
      <h2 id="memory-search-title">Search</h2>
      <p class="muted">
        Everything you may read, as a task's recall searches it: by meaning when an embeddings
        endpoint is configured, else by words.
      </p>
      <form class="list-bar memory-search" onSubmit={submit}>
        <label>
          Search memory
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={error} />
      {found && (
        <p role="status" class="memory-found">
          {found.length} found
        </p>
      )}
      {found && (
        <ItemList items={found} label="Search results" onForget={onForget} onEdited={onEdited} />
      )}
    </section>
  );
}

function ForgetMe({ onForgotten }: { onForgotten: () => void }) {
  const { me } = useSession();
  const [asking, setAsking] = useState(false);
  const forgetting = useForgetUser(() => {
    setAsking(false);
    onForgotten();
  });
  return (
    <section aria-labelledby="forget-me-title">
      <h2 id="forget-me-title">Forget me</h2>
      <p class="muted">
        Deletes everything your memory holds in this tenant — your own items and the thread items
        you wrote — and empties what tasks' run records recalled of it; then reads back that nothing
        is left. What you wrote to shared memory belongs to the tenant and stays.
      </p>
      {asking ? (
        <ForgetConfirm
          label="Confirm"
          yes="Yes, forget everything of mine"
          onYes={() => void forgetting.forget(me.userId)}
          onCancel={() => setAsking(false)}
        >
          Forget everything of {me.userId}? This cannot be undone.
        </ForgetConfirm>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          Forget me…
        </button>
      )}
      <ForgottenNotice done={forgetting.done} class="memory-forget-me" />
      <ErrorNotice error={forgetting.error} />
    </section>
  );
}
