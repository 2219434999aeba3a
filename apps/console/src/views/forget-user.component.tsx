import { useState } from 'preact/hooks';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { useSession } from '../context';
import { type UserForgotten, userForgottenWords, userToForget } from '../model/memory';

/**
 * An admin's "Forget a user" (`DELETE /memory/users/{userId}`): a user's request to be forgotten,
 * handled in the console. After a confirmation naming the user, it says how many items went, how
 * many recorded recalls in tasks' run records were emptied, and whether the read-back verified it.
 */
export function ForgetUser({ onForgotten }: { onForgotten: () => void }) {
  const { client } = useSession();
  const [raw, setRaw] = useState('');
  const [asking, setAsking] = useState<string>();
  const [done, setDone] = useState<UserForgotten>();
  const [error, setError] = useState<string>();
  const ask = (e: Event) => {
    e.preventDefault();
    const checked = userToForget(raw);
    if (!checked.ok) return setError(checked.problem);
    setError(undefined);
    setDone(undefined);
    setAsking(checked.userId);
  };
  const confirm = (userId: string) =>
    client.memory.forgetUser(userId).then(
      (r) => {
        setDone(r);
        setAsking(undefined);
        setError(undefined);
        onForgotten();
      },
      (e: unknown) => setError(describeError(e)),
    );
  return (
    <section aria-labelledby="forget-user-title">
      <h2 id="forget-user-title">Forget a user</h2>
      <p class="muted">
        For a user's request to be forgotten: everything their memory holds in this tenant, and what
        tasks' run records recalled of it. What they wrote to shared memory stays.
      </p>
      <form class="approvals-bar memory-forget-user" onSubmit={ask}>
        <label>
          User to forget
          <input
            value={raw}
            aria-invalid={error && !asking ? 'true' : undefined}
            onInput={(e) => setRaw(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="secondary">
          Forget this user…
        </button>
      </form>
      {asking && (
        <div
          class="notice notice-warn forget-confirm"
          role="group"
          aria-label="Confirm forgetting a user"
        >
          <p>Forget everything of {asking} in this tenant? This cannot be undone.</p>
          <button type="button" onClick={() => void confirm(asking)}>
            Yes, forget {asking}
          </button>{' '}
          <button type="button" class="secondary" onClick={() => setAsking(undefined)}>
            Cancel
          </button>
        </div>
      )}
      {done && (
        <p
          class={`notice ${done.verified ? 'notice-ok' : 'notice-error'} memory-forget-user-done`}
          role="status"
        >
          {userForgottenWords(done)}
        </p>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
