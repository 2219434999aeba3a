import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { ANY_OPTION, plainOptions, SelectField } from '../components/select-field.component';
import { JsonView } from '../components/json-view.component';
import { describeError } from '../components/load.hook';
import { CheckField } from '../components/check-field.component';
import { FilterForm } from '../components/filter-form.component';
import { useFormFields } from '../components/form-fields.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { TextField } from '../components/text-field.component';
import { VirtualList } from '../components/virtual-list.component';
import { useSession } from '../context';
import { formatBytes, formatTime } from '../model/format';
import { SERVICES } from '../model/health';
import { type LiveEntry, LiveFeed } from '../model/live-feed';
import { type LiveStatus, liveStatusOf, refusalAdvice, refusalLines } from '../model/live-status';

const SERVICE_OPTIONS = [ANY_OPTION, ...plainOptions(SERVICES)];

interface Filter {
  task_id: string;
  user_id: string;
  service: string;
  commands: boolean;
}

/** Live (admins): the platform's NATS traffic as operators tail it, through the gateway (GET /live). */
// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
export function LiveView() {
  const { client } = useSession();
  const {
    form: filter,
    setForm: setFilter,
    text,
    choice,
  } = useFormFields<Filter>({ task_id: '', user_id: '', service: '', commands: false });
  const [applied, setApplied] = useState<Filter>(filter);
  const feed = useRef(new LiveFeed(2_000)).current;
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [state, setState] = useState<Connection>({ phase: 'connecting' });

  useEffect(() => {
    const ac = new AbortController();
    feed.clear();
    redraw(0);
    let n = 0;
    let frame = 0;
    const query = {
      task_id: applied.task_id.trim() || undefined,
      user_id: applied.user_id.trim() || undefined,
      service: applied.service || undefined,
      commands: applied.commands,
    };
    setState({ phase: 'connecting' });
    let status: LiveStatus | undefined;
    const read = async () => {
      for await (const f of client.admin.live(query, { signal: ac.signal })) {
        if (f.event !== 'message') {
          status = liveStatusOf(f.data) ?? status;
          setState({ phase: 'open', ...(status ? { status } : {}) });
          continue;
        }
        feed.push({ ...f.data, n: ++n });
        // Many messages may arrive in one frame: draw once per animation frame.
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          redraw(0);
        });
      }
    };
    read().then(
      () => !ac.signal.aborted && setState(ended(status)),
      (e: unknown) =>
        !ac.signal.aborted &&
        setState({ phase: 'failed', error: describeError(e), ...(status ? { status } : {}) }),
    );
    return () => {
      ac.abort();
      cancelAnimationFrame(frame);
    };
  }, [applied]);

  return (
    <Page id="live" title="Live traffic">
      <FilterForm
        label="Filter live traffic"
        onApply={() => setApplied(filter)}
        after={<FeedButtons feed={feed} redraw={() => redraw(0)} />}
      >
        <TextField label="Task id" maxLength={36} {...text('task_id')} />
        <TextField label="User" maxLength={128} {...text('user_id')} />
        <SelectField label="Service" options={SERVICE_OPTIONS} {...choice('service')} />
        <CheckField
          checked={filter.commands}
          onChange={(commands) => setFilter((f) => ({ ...f, commands }))}
        >
          Commands and health requests too
        </CheckField>
      </FilterForm>
      <ErrorNotice error={state.error} />
      <p role="status" class="muted live-status">
        {PHASE_WORDS[state.phase]} · {feed.entries.length} shown
        {feed.isPaused ? ` · paused, ${feed.pending} waiting` : ''}
        {feed.missed ? ` · ${feed.missed} missed` : ''}
      </p>
      {state.status && <Visibility status={state.status} />}
      {state.phase !== 'nothing-visible' && (
        <VirtualList<LiveEntry>
          items={feed.entries}
          keyOf={(m) => String(m.n)}
          render={(m) => <LiveRow m={m} />}
          label="Messages"
          estimateSize={44}
          follow={!feed.isPaused}
          className="live"
        />
      )}
    </Page>
  );
}

/** Where the view's connection stands; `status` is what it sees (GET /live's ready/status events). */
interface Connection {
  phase: 'connecting' | 'open' | 'nothing-visible' | 'ended' | 'failed';
  status?: LiveStatus;
  error?: string;
}

const PHASE_WORDS: Record<Connection['phase'], string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  'nothing-visible': 'Nothing can be watched',
  ended: 'Disconnected',
  failed: 'Not connected',
};

/** The stream ended: because nothing at all can be watched (the gateway says why), or otherwise. */
function ended(status: LiveStatus | undefined): Connection {
  if (status && status.watching.length === 0) return { phase: 'nothing-visible', status };
  return {
    phase: 'ended',
    error: 'The live stream ended; Apply connects again.',
    ...(status ? { status } : {}),
  };
}

/** What the viewer sees, and — prominently — what it does not, and why. */
function Visibility({ status }: { status: LiveStatus }) {
  const refused = refusalLines(status);
  return (
    <>
      {refused.length > 0 && (
        <div class="notice notice-warn live-refused" role="alert">
          <ul>
            {refused.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p>To see it: {refusalAdvice(status.identity)}.</p>
        </div>
      )}
      {status.watching.length > 0 && (
        <p class="muted live-watching">
          Watching, as the <strong>{status.identity}</strong> identity:{' '}
          {status.watching.map((p, i) => (
            <span key={p}>
              {i > 0 ? ', ' : ''}
              <code>{p}</code>
            </span>
          ))}
        </p>
      )}
    </>
  );
}

function LiveRow({ m }: { m: LiveEntry }) {
  return (
    <details class={`live-row live-${m.kind}`} data-subject={m.subject} data-user={m.userId}>
      <summary>
        <time dateTime={m.at}>{formatTime(m.at)}</time> <code class="subject">{m.subject}</code>{' '}
        <span class="muted">
          {m.source ?? '?'}
          {m.target ? ` → ${m.target}` : ''}
          {m.userId ? ` · ${m.userId}` : ''} · {formatBytes(m.bytes)}
        </span>
      </summary>
      <JsonView label={m.truncated ? 'Payload (cut)' : 'Payload'} value={m.data} />
    </details>
  );
}

/** The feed's own controls beside the filters: hold it still (or go on), and empty it. */
function FeedButtons({ feed, redraw }: { feed: LiveFeed; redraw: () => void }) {
  return (
    <>
      <button
        type="button"
        aria-pressed={feed.isPaused}
        onClick={() => {
          if (feed.isPaused) feed.resume();
          else feed.pause();
          redraw();
        }}
      >
        {feed.isPaused ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        onClick={() => {
          feed.clear();
          redraw();
        }}
      >
        Clear
      </button>
    </>
  );
}
