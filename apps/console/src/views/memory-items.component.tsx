import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';
import {
  contentEdit,
  matchedWords,
  type MemoryItem,
  namespaceWords,
  type RecalledMemory,
  scoreWords,
} from '../model/memory';

/** Items (a namespace's, or a search's with how each matched), each with Edit and Forget. */
export function ItemList({
  items,
  label,
  onForget,
  onEdited,
}: {
  items: (MemoryItem | RecalledMemory)[];
  label: string;
  onForget: (id: string) => Promise<unknown>;
  onEdited: (item: MemoryItem) => void;
}) {
  if (items.length === 0) return null;
  return (
    <ul class="memory-items" aria-label={label}>
      {items.map((i) => (
        <Item key={i.id} item={i} onForget={onForget} onEdited={onEdited} />
      ))}
    </ul>
  );
}

/** A short name for an item in a button's label: its content's first words. */
const named = (i: MemoryItem): string => `"${i.content.slice(0, 60)}"`;

function Item({
  item: i,
  onForget,
  onEdited,
}: {
  item: MemoryItem | RecalledMemory;
  onForget: (id: string) => Promise<unknown>;
  onEdited: (item: MemoryItem) => void;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <li class="memory-item" data-item={i.id}>
      {editing ? (
        <ItemEditor
          item={i}
          onDone={(edited) => {
            setEditing(false);
            if (edited) onEdited(edited);
          }}
        />
      ) : (
        <p class="memory-content">{i.content}</p>
      )}
      <p class="muted">
        <code>{namespaceWords(i.namespace)}</code>
        {'score' in i && (
          <span class="memory-match">
            {' '}
            · {matchedWords(i.matchedBy)}, score {scoreWords(i.score)}
          </span>
        )}{' '}
        · by {i.writtenBy.userId}
        {i.writtenBy.taskId && (
          <>
            {' '}
            in <a href={`#/tasks/${i.writtenBy.taskId}`}>task {i.writtenBy.taskId.slice(0, 8)}</a>
          </>
        )}{' '}
        · {formatDateTime(i.updatedAt)}
      </p>
      {!editing && (
        <button
          type="button"
          class="secondary"
          aria-label={`Edit ${named(i)}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
      )}{' '}
      <button
        type="button"
        class="secondary"
        aria-label={`Forget ${named(i)}`}
        onClick={() => void onForget(i.id)}
      >
        Forget
      </button>
    </li>
  );
}

/**
 * The content in a textarea, with Save and Cancel. mcp-tools decides whether the user may edit it
 * (their own items; the tenant's shared ones for admins); a refusal stays shown with the API's
 * message until Save works or the edit is cancelled.
 */
function ItemEditor({
  item,
  onDone,
}: {
  item: MemoryItem;
  onDone: (edited: MemoryItem | undefined) => void;
}) {
  const { client } = useSession();
  const [draft, setDraft] = useState(item.content);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);
  // Edit moves the focus into the text, so a keyboard user types where they asked to.
  useEffect(() => field.current?.focus(), []);
  const save = (e: Event) => {
    e.preventDefault();
    const checked = contentEdit(item.content, draft);
    if (!checked.ok) return setError(checked.problem);
    if (!checked.change) return onDone(undefined);
    setSaving(true);
    client.memory.update(item.id, checked.change).then(
      (edited) => onDone(edited),
      (err: unknown) => {
        setSaving(false);
        setError(describeError(err));
      },
    );
  };
  return (
    <form
      class="memory-edit"
      onSubmit={save}
      aria-label={`Edit memory item ${item.id.slice(0, 8)}`}
    >
      <label>
        Content
        <textarea
          ref={field}
          rows={3}
          value={draft}
          aria-invalid={error ? 'true' : undefined}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
      </label>
      <ErrorNotice error={error} />
      <button type="submit" disabled={saving}>
        {saving ? 'Saving…' : 'Save'}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => onDone(undefined)}>
        Cancel
      </button>
    </form>
  );
}
