import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { readSse } from '../api/sse.client';
import { JsonView } from '../components/json-view.component';
import { describeError } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { VirtualList } from '../components/virtual-list.component';
import { useSession } from '../context';
import { formatBytes, formatTime } from '../model/format';
import { type LiveEntry, LiveFeed, type LiveMessage } from '../model/live-feed';

const SERVICES = ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge'];

interface Filter {
  task_id: string;
  user_id: string;
  service: string;
  commands: boolean;
}

/** Live (admins): the platform's NATS traffic as operators tail it, through the gateway (GET /live). */
export function LiveView() {
  const { api } = useSession();
  const [filter, setFilter] = useState<Filter>({
    task_id: '',
    user_id: '',
    service: '',
    commands: false,
  });
  const [applied, setApplied] = useState<Filter>(filter);
  const feed = useRef(new LiveFeed(2_000)).current;
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [state, setState] = useState<{ connected: boolean; error?: string }>({ connected: false });

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
      commands: applied.commands ? 'true' : undefined,
    };
    readSse(api.url('live', query), {
      headers: api.authHeaders(),
      signal: ac.signal,
      onMessage: (m) => {
        if (m.event === 'ready') return setState({ connected: true });
        if (m.event !== 'message') return;
        feed.push({ ...(JSON.parse(m.data) as LiveMessage), n: ++n });
        // Many messages may arrive in one frame: draw once per animation frame.
        frame ||= requestAnimationFrame(() => {
          frame = 0;
          redraw(0);
        });
      },
    }).then(
      () => !ac.signal.aborted && setState({ connected: false, error: 'The live stream ended.' }),
      (e: unknown) => !ac.signal.aborted && setState({ connected: false, error: describeError(e) }),
    );
    return () => {
      ac.abort();
      cancelAnimationFrame(frame);
    };
  }, [applied]);

  const set = (k: Exclude<keyof Filter, 'commands'>) => (e: { currentTarget: { value: string } }) =>
    setFilter({ ...filter, [k]: e.currentTarget.value });
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title" tabIndex={-1}>
        Live traffic
      </h1>
      <form
        class="filters"
        aria-label="Filter live traffic"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filter);
        }}
      >
        <label>
          Task id
          <input value={filter.task_id} onInput={set('task_id')} maxLength={36} />
        </label>
        <label>
          User
          <input value={filter.user_id} onInput={set('user_id')} maxLength={128} />
        </label>
        <label>
          Service
          <select value={filter.service} onChange={set('service')}>
            <option value="">any</option>
            {SERVICES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={filter.commands}
            onChange={(e) => setFilter({ ...filter, commands: e.currentTarget.checked })}
          />{' '}
          Commands and health requests too
        </label>
        <button type="submit">Apply</button>
        <button
          type="button"
          aria-pressed={feed.isPaused}
          onClick={() => {
            if (feed.isPaused) feed.resume();
            else feed.pause();
            redraw(0);
          }}
        >
          {feed.isPaused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          onClick={() => {
            feed.clear();
            redraw(0);
          }}
        >
          Clear
        </button>
      </form>
      <ErrorNotice error={state.error} />
      <p role="status" class="muted live-status">
        {state.connected ? 'Connected' : 'Connecting…'} · {feed.entries.length} shown
        {feed.isPaused ? ` · paused, ${feed.pending} waiting` : ''}
        {feed.missed ? ` · ${feed.missed} missed` : ''}
      </p>
      <VirtualList<LiveEntry>
        items={feed.entries}
        keyOf={(m) => String(m.n)}
        render={(m) => <LiveRow m={m} />}
        label="Messages"
        estimateSize={44}
        follow={!feed.isPaused}
        className="live"
      />
    </section>
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
