import type {
  WebhookCreated,
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookView,
} from '@switchboard/client';
import { useState } from 'preact/hooks';
import { useAction } from '../components/action.hook';
import { useCreateForm } from '../components/create-form.hook';
import { SelectField } from '../components/select-field.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { TextField } from '../components/text-field.component';
import { RefreshBar } from '../components/refresh-bar.component';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';
import {
  deliveryWords,
  EVENT_CHOICES,
  eventsWords,
  type SubscribeForm,
  subscribeBody,
} from '../model/webhooks';

/**
 * Webhooks (docs/webhooks.md): subscribe a URL to events of your tasks (an admin: of every task of the
 * tenant), see and delete subscriptions, your task-webhook secret, and the deliveries — the dead
 * letters first, each with Redeliver.
 */
export function WebhooksView() {
  const { client } = useSession();
  const hooks = useLoad(
    async (signal) => (await client.webhooks.list({ limit: 500 }, { signal })).webhooks,
    [],
  );
  return (
    <Page id="webhooks" title="Webhooks">
      <p class="muted">
        Switchboard calls a URL when your tasks end or wait for an approval, signed with a secret
        your receiver checks (Standard Webhooks). A delivery that cannot get through is retried,
        then kept in the dead letters below.
      </p>
      <SubscribeForm onCreated={hooks.reload} />
      <h2>Subscriptions</h2>
      <ErrorNotice error={hooks.error} />
      <SubscriptionList webhooks={hooks.data ?? []} onDeleted={hooks.reload} />
      <TaskSecret />
      <Deliveries />
    </Page>
  );
}

function SubscribeForm({ onCreated }: { onCreated: () => void }) {
  const { client, me } = useSession();
  const empty: SubscribeForm = { url: '', events: ['ended'], scope: 'own', description: '' };
  const { form, setForm, text, choice, problem, created, submit } = useCreateForm({
    empty,
    check: (f) => subscribeBody(f),
    create: (body) => client.webhooks.create(body),
    onCreated,
  });
  const toggle = (kind: SubscribeForm['events'][number], on: boolean) =>
    setForm((f) => ({
      ...f,
      events: on ? [...f.events, kind] : f.events.filter((k) => k !== kind),
    }));
  return (
    <form class="webhook-form" onSubmit={submit} aria-labelledby="subscribe-title">
      <h2 id="subscribe-title">Subscribe</h2>
      <TextField
        label="URL"
        type="url"
        placeholder="https://hooks.example.com/switchboard"
        {...text('url')}
      />
      <EventChoices chosen={form.events} onToggle={toggle} />
      {me.admin && <SelectField label="Tasks" options={SCOPES} {...choice('scope')} />}
      <TextField label="Description" {...text('description')} />
      <button type="submit">Subscribe</button>
      <ErrorNotice error={problem} />
      {created && <CreatedNotice created={created} />}
    </form>
  );
}

const SCOPES = [
  { value: 'own', label: 'My tasks' },
  { value: 'tenant', label: 'Every task of my tenant' },
];

function EventChoices({
  chosen,
  onToggle,
}: {
  chosen: SubscribeForm['events'];
  onToggle: (kind: SubscribeForm['events'][number], on: boolean) => void;
}) {
  return (
    <fieldset>
      <legend>Events</legend>
      {EVENT_CHOICES.map((c) => (
        <label key={c.kind} class="check">
          <input
            type="checkbox"
            checked={chosen.includes(c.kind)}
            onChange={(e) => onToggle(c.kind, e.currentTarget.checked)}
          />
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}

function CreatedNotice({ created }: { created: WebhookCreated }) {
  return (
    <OkNotice class="webhook-created">
      Subscribed {created.url}. Its signing secret, shown here once (its subscriber can read it
      again with GET /webhooks/{created.webhookId}/secret):{' '}
      <code class="webhook-secret">{created.secret}</code>
    </OkNotice>
  );
}

function SubscriptionList({
  webhooks,
  onDeleted,
}: {
  webhooks: WebhookView[];
  onDeleted: () => void;
}) {
  const { client } = useSession();
  const { error, run } = useAction();
  if (webhooks.length === 0) return <p class="muted webhooks-none">No subscriptions.</p>;
  return (
    <>
      <ErrorNotice error={error} />
      <ul class="webhooks">
        {webhooks.map((w) => (
          <li key={w.webhookId} class="webhook" data-webhook={w.webhookId}>
            <h3>{w.url}</h3>
            <p>
              {eventsWords(w.events)} ·{' '}
              {w.scope === 'tenant' ? 'every task of the tenant' : `${w.userId}'s tasks`}
              {w.description ? ` · ${w.description}` : ''} · since {formatDateTime(w.createdAt)}
            </p>
            <button
              type="button"
              class="secondary"
              onClick={() => void run(client.webhooks.delete(w.webhookId), onDeleted)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

function TaskSecret() {
  const { client } = useSession();
  const [secret, setSecret] = useState<string>();
  const { error, run } = useAction();
  return (
    <section aria-labelledby="task-secret-title">
      <h2 id="task-secret-title">Your tasks' own webhooks</h2>
      <p class="muted">
        A task request's <code>webhook</code> (POST /orchestrate, AG-UI, A2A, schedules) is signed
        with your task-webhook secret.
      </p>
      {secret ? (
        <p>
          <code class="task-webhook-secret">{secret}</code>
        </p>
      ) : (
        <button
          type="button"
          class="secondary"
          onClick={() => void run(client.webhooks.taskSecret(), (r) => setSecret(r.secret))}
        >
          Show my task-webhook secret
        </button>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

const STATUSES: { value: WebhookDeliveryStatus | ''; label: string }[] = [
  { value: 'dead', label: 'Dead letters' },
  { value: 'pending', label: 'Retrying' },
  { value: 'delivered', label: 'Delivered' },
  { value: '', label: 'All' },
];

function Deliveries() {
  const { client, me } = useSession();
  const [status, setStatus] = useState<WebhookDeliveryStatus | ''>('dead');
  const list = useLoad(
    async (signal) =>
      (await client.webhooks.deliveries({ status: status || undefined, limit: 200 }, { signal }))
        .deliveries,
    [status],
  );
  const [last, setLast] = useState<string>();
  const { error, run } = useAction();
  const again = (d: WebhookDeliveryView) =>
    run(client.webhooks.redeliver(d.deliveryId), () => {
      setLast(`Sent again: ${d.event} of task ${d.taskId.slice(0, 8)} to ${d.url}`);
      list.reload();
    });
  const rows = list.data ?? [];
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Deliveries</h2>
      <RefreshBar
        loaded={list}
        countClass="deliveries-count"
        count={`${rows.length} ${me.admin ? 'in your tenant' : 'of yours'}`}
      >
        <SelectField
          label="Show"
          value={status}
          options={STATUSES}
          onChange={(e) => setStatus(e.currentTarget.value as WebhookDeliveryStatus | '')}
        />
      </RefreshBar>
      <OkNotice class="redelivered">{last}</OkNotice>
      <ErrorNotice error={error ?? list.error} />
      <ul class="deliveries">
        {rows.map((d) => (
          <li
            key={d.deliveryId}
            class={`delivery delivery-${d.status}`}
            data-delivery={d.deliveryId}
          >
            <h3>
              {d.event} · <a href={`#/tasks/${d.taskId}`}>Task {d.taskId.slice(0, 8)}</a>
              {d.a2aPush && <span class="delivery-kind"> · A2A push notification</span>}
            </h3>
            <p>
              {d.url} · {d.userId}'s · {formatDateTime(d.createdAt)}
            </p>
            <p class="delivery-state">{deliveryWords(d)}</p>
            {d.status === 'dead' && (
              <button type="button" onClick={() => void again(d)}>
                Redeliver
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
