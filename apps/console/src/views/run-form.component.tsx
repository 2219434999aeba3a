import { useState } from 'preact/hooks';

export interface RunRequest {
  task: string;
  mode: 'auto' | 'custom';
  providers: string;
  tools: string;
  maxSteps: string;
}

/** The task, and optionally which tools it may use and how many steps it may take. */
export function RunForm({ busy, onRun }: { busy: boolean; onRun: (r: RunRequest) => void }) {
  const [r, setR] = useState<RunRequest>({
    task: '',
    mode: 'auto',
    providers: '',
    tools: '',
    maxSteps: '',
  });
  const set = (k: keyof RunRequest) => (e: { currentTarget: { value: string } }) =>
    setR({ ...r, [k]: e.currentTarget.value });
  return (
    <form
      class="run-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (r.task.trim()) onRun({ ...r, task: r.task.trim() });
      }}
    >
      <label for="task">Task</label>
      <textarea
        id="task"
        name="task"
        rows={3}
        required
        maxLength={8000}
        placeholder="what is 17 * 23, then save the result as a note"
        value={r.task}
        onInput={set('task')}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
        }}
      />
      <details class="constraints">
        <summary>Tool constraints and budget</summary>
        <div class="grid">
          <label for="mode">Tools offered</label>
          <select id="mode" value={r.mode} onChange={set('mode')}>
            <option value="auto">auto: every authorized provider</option>
            <option value="custom">custom: only those listed</option>
          </select>
          <label for="providers">Providers (comma-separated)</label>
          <input
            id="providers"
            value={r.providers}
            onInput={set('providers')}
            placeholder="math, notes"
          />
          <label for="tools">Tools (comma-separated)</label>
          <input id="tools" value={r.tools} onInput={set('tools')} placeholder="calculator" />
          <label for="max-steps">Most steps (1–100)</label>
          <input
            id="max-steps"
            type="number"
            min={1}
            max={100}
            value={r.maxSteps}
            onInput={set('maxSteps')}
          />
        </div>
      </details>
      <button type="submit" disabled={busy}>
        {busy ? 'Starting…' : 'Run'}
      </button>
      <span class="muted"> Ctrl+Enter runs it too.</span>
    </form>
  );
}
