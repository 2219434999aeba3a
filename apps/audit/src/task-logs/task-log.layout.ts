import { DEFAULT_TENANT, type Tasks, TenantId } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Longest value kept in a main.jsonl line; the full event of a cut line goes to orchestrator/raw/. */
export const MAX_VALUE_CHARS = 500;

/** First 8 hex characters of SHA-256 of the task id: the folder suffix. */
export function taskHash(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 8);
}

/** `{ISO-timestamp}_{8-char task hash}`, from the time of the task's first event. */
export function folderName(startedAt: string, taskId: string): string {
  return `${new Date(startedAt).toISOString()}_${taskHash(taskId)}`;
}

const FOLDER = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8})$/;

/** The start time encoded in a task folder's name, or undefined for anything else in the log directory. */
export function folderTime(name: string): number | undefined {
  const m = FOLDER.exec(name);
  return m ? Date.parse(m[1] as string) : undefined;
}

/**
 * Where a tenant's task folders are, relative to the log directory: the default tenant's at its top (the
 * layout from before tenants, which log readers and existing folders keep), any other tenant's in a
 * folder named after it (`logs/<tenant>/…`). A tenant id never looks like a task folder (those hold `:`
 * and `.`, tenant ids cannot) nor like `.index`.
 */
export function tenantDir(tenantId: string): string {
  return tenantId === DEFAULT_TENANT ? '' : tenantId;
}

/** A task folder's path relative to the log directory. */
export function taskFolderPath(tenantId: string, startedAt: string, taskId: string): string {
  return join(tenantDir(tenantId), folderName(startedAt, taskId));
}

/** Whether an entry of the log directory can be a tenant's folder (and not a task's). */
export function isTenantDir(name: string): boolean {
  return TenantId.safeParse(name).success;
}

/** A step id as a folder name (step ids are planner-made: keep them to a safe alphabet). */
export function stepFolder(stepId: string): string {
  return (
    stepId
      .replace(/[^\w.-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 64) || '_'
  );
}

export function truncateText(s: string, max = MAX_VALUE_CHARS): string {
  return s.length > max ? `${s.slice(0, max)}... [truncated, ${s.length} chars total]` : s;
}

/**
 * Truncates the values of an event's data for the main files: a string over 500 characters keeps its
 * first 500 and says how long it was; an object or array whose JSON is longer becomes that JSON text,
 * cut the same way. Returns whether anything was cut.
 */
export function truncateValues(data: Record<string, unknown>): {
  data: Record<string, unknown>;
  truncated: boolean;
} {
  let truncated = false;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') {
      out[key] = truncateText(value);
      truncated ||= value.length > MAX_VALUE_CHARS;
    } else if (value !== null && typeof value === 'object') {
      const text = JSON.stringify(value);
      if (text.length > MAX_VALUE_CHARS) {
        out[key] = truncateText(text);
        truncated = true;
      } else {
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  return { data: out, truncated };
}

/** Where one event is written, relative to the task folder. */
export interface EventPlacement {
  /** main.jsonl files the event's line goes to. */
  mains: string[];
  /** The raw file (full event), when the line was truncated. */
  raw?: string;
  line: string;
}

/**
 * Every event goes to orchestrator/main.jsonl; mcp.* events of a step also to mcp/{step_id}/main.jsonl,
 * a2a.delegation.* events to agents/{step_id}/main.jsonl (the sub-agent folders).
 */
export function placeEvent(event: Tasks.TaskEvent): EventPlacement {
  const { data, truncated } = truncateValues(event.data as Record<string, unknown>);
  const raw = truncated
    ? `orchestrator/raw/${String(event.seq).padStart(6, '0')}_${event.name}.json`
    : undefined;
  const line = JSON.stringify({
    timestamp: event.at,
    seq: event.seq,
    event: event.name,
    source: event.source,
    ...(event.message !== undefined ? { message: truncateText(event.message) } : {}),
    data,
    ...(raw ? { raw } : {}),
  });
  const mains = ['orchestrator/main.jsonl'];
  const stepId = (event.data as { stepId?: unknown }).stepId;
  if (typeof stepId === 'string') {
    if (event.name.startsWith('mcp.')) mains.push(`mcp/${stepFolder(stepId)}/main.jsonl`);
    if (event.name.startsWith('a2a.')) mains.push(`agents/${stepFolder(stepId)}/main.jsonl`);
  }
  return { mains, line, ...(raw ? { raw } : {}) };
}
