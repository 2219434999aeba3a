import type { Tasks } from '@switchboard/contracts';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return `${minutes} min ${seconds} s`;
}

export function formatTokens(usage: Tasks.TokenUsage | undefined): string {
  if (!usage) return '—';
  const total = `${usage.totalTokens.toLocaleString('en-US')} tokens${usage.estimated ? ' (estimated)' : ''}`;
  return usage.costUsd !== undefined ? `${total}, $${usage.costUsd.toFixed(4)}` : total;
}

export function formatBytes(n: number): string {
  if (n < 1_024) return `${n} B`;
  if (n < 1_048_576) return `${(n / 1_024).toFixed(1)} KB`;
  return `${(n / 1_048_576).toFixed(1)} MB`;
}

/** Local time of day with milliseconds (events are often milliseconds apart). */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 10)} ${formatTime(iso)}`;
}

/** JSON for display: pretty, and cut past `max` characters. */
export function formatJson(value: unknown, max = 20_000): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? 'undefined');
  } catch {
    text = String(value);
  }
  return text.length > max
    ? `${text.slice(0, max)}\n… (${text.length - max} more characters)`
    : text;
}

/** A comma-separated input as a list (empty entries dropped). */
export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A2A task states (1.0's TASK_STATE_*, 0.3's kebab-case words) as the console says them. */
const A2A_STATES: Record<string, string> = {
  submitted: 'submitted',
  working: 'working',
  input_required: 'waiting for input',
  auth_required: 'waiting for authorization',
  completed: 'completed',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  failed: 'failed',
  rejected: 'rejected',
  unspecified: 'state unknown',
  unknown: 'state unknown',
};

/** An A2A task state in words: `TASK_STATE_INPUT_REQUIRED` → "waiting for input". */
export function a2aStateWords(state: string): string {
  const key = state
    .replace(/^TASK_STATE_/i, '')
    .toLowerCase()
    .replace(/-/g, '_');
  return A2A_STATES[key] ?? key.replace(/_/g, ' ');
}

/**
 * What a run cost in tokens, for the status line: the built-in planner asks no model, so it has no
 * tokens to count ("no LLM" rather than "0 tokens").
 */
export function usageWords(u: {
  planner?: string | undefined;
  tokens: number;
  estimated?: boolean;
}): string {
  if (u.planner === 'builtin' && u.tokens === 0) return 'no LLM';
  return `${u.tokens.toLocaleString('en-US')} tokens${u.estimated ? ' (estimated)' : ''}`;
}

/** A planned action as the timeline lists it: the verb, its target, and what the description adds. */
export function actionWords(a: { kind: string; target: string; description: string }): {
  verb: string;
  target: string;
  detail?: string;
} {
  const verb = a.kind === 'agent' ? 'delegate to' : 'call';
  // Descriptions often begin with the same words ("delegate to researcher: …"): say them once.
  const said = `${verb} ${a.target}`;
  const description = a.description.trim();
  const repeats =
    description.toLowerCase().startsWith(said.toLowerCase()) &&
    !/^[\w.-]/.test(description.slice(said.length));
  const detail = repeats
    ? description.slice(said.length).replace(/^\s*[:—–-]?\s*/, '')
    : description;
  return { verb, target: a.target, ...(detail ? { detail } : {}) };
}

/**
 * What a delegation card's status line adds to its status: the transport when a delegation event has
 * named it (a delegation cancelled or refused before it reached the agent has none, and says none),
 * and the agent's task state in words when it says more than the status.
 */
export function delegationFacts(c: {
  status: string;
  transport?: 'http' | 'xmpp' | undefined;
  state?: string | undefined;
  durationMs?: number | undefined;
}): { transport?: 'http' | 'xmpp'; state?: string; duration?: string } {
  const state = c.state ? a2aStateWords(c.state) : undefined;
  return {
    ...(c.transport ? { transport: c.transport } : {}),
    ...(state && state !== c.status ? { state } : {}),
    ...(c.durationMs !== undefined ? { duration: formatDuration(c.durationMs) } : {}),
  };
}
