import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useAction } from '../components/action.hook';
import { ErrorNotice } from '../components/notice.component';
import { useSession } from '../context';
import { type UserForgotten, userForgottenWords, userToForget } from '../model/memory';

/**
 * An admin's "Forget a user" (`DELETE /memory/users/{userId}`): a user's request to be forgotten,
 * handled in the console. After a confirmation naming the user, it says how many items went, how
 * many recorded recalls in tasks' run records were emptied, and whether the read-back verified it.
 */
export function ForgetUser({ onForgotten }: { onForgotten: () => void }) {
  const [raw, setRaw] = useState('');
  const [asking, setAsking] = useState<string>();
  const forgetting = useForgetUser(() => {
    setAsking(undefined);
    onForgotten();
  });
  const { error, setError } = forgetting;
  const ask = (e: Event) => {
    e.preventDefault();
    const checked = userToForget(raw);
    if (!checked.ok) return setError(checked.problem);
    setError(undefined);
    forgetting.setDone(undefined);
    setAsking(checked.userId);
  };
  return (
    <section aria-labelledby="forget-user-title">
      <h2 id="forget-user-title">Forget a user</h2>
      <p class="muted">
        For a user's request to be forgotten: everything their memory holds in this tenant, and what
        tasks' run records recalled of it. What they wrote to shared memory stays.
      </p>
      <form class="list-bar memory-forget-user" onSubmit={ask}>
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
        <ForgetConfirm
          label="Confirm forgetting a user"
          yes={`Yes, forget ${asking}`}
          onYes={() => void forgetting.forget(asking)}
          onCancel={() => setAsking(undefined)}
        >
          Forget everything of {asking} in this tenant? This cannot be undone.
        </ForgetConfirm>
      )}
      <ForgottenNotice done={forgetting.done} class="memory-forget-user-done" />
      <ErrorNotice error={error} />
    </section>
  );
}

/**
 * Forgetting a user once confirmed (`DELETE /memory/users/{userId}`): what it did, or why it failed;
 * `onForgotten` runs after it succeeded.
 */
export function useForgetUser(onForgotten: () => void) {
  const { client } = useSession();
  const [done, setDone] = useState<UserForgotten>();
  const { error, setError, run } = useAction();
  const forget = (userId: string) =>
    run(client.memory.forgetUser(userId), (r) => {
      setDone(r);
      onForgotten();
    });
  return { done, setDone, error, setError, forget };
}

/** The question before forgetting, which cannot be undone: Yes, or Cancel. */
export function ForgetConfirm(p: {
  label: string;
  yes: string;
  onYes: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  return (
    <div class="notice notice-warn forget-confirm" role="group" aria-label={p.label}>
      <p>{p.children}</p>
      <button type="button" onClick={p.onYes}>
        {p.yes}
      </button>{' '}
      <button type="button" class="secondary" onClick={p.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** What forgetting did; an error when the read-back found something left. */
export function ForgottenNotice({ done, class: name }: { done?: UserForgotten; class: string }) {
  if (!done) return null;
  return (
    <p class={`notice ${done.verified ? 'notice-ok' : 'notice-error'} ${name}`} role="status">
      {userForgottenWords(done)}
    </p>
  );
}
