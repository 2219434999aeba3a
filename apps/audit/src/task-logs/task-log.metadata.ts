import type { Tasks } from '@switchboard/contracts';
import { stepFolder, taskHash, truncateText } from './task-log.layout.js';

/** metadata.json of a task folder: a summary kept current as events arrive. */
export interface TaskLogMetadata {
  taskId: string;
  taskHash: string;
  /** The task's tenant (absent in folders written before tenants: the default tenant). */
  tenantId?: string;
  /** The task folder, relative to the log directory (`<tenant>/…` for a tenant other than the default). */
  folder: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  startedAt: string;
  updatedAt: string;
  userId?: string;
  task?: string;
  threadId?: string;
  planner?: string;
  model?: string;
  finishedAt?: string;
  durationMs?: number;
  steps?: number;
  usage?: Tasks.TokenUsage;
  result?: string;
  error?: { code: string; message: string };
  guardrail?: { stage: string; rule: string }[];
  /** Lines in orchestrator/main.jsonl, and the highest event seq written. */
  events: number;
  lastSeq: number;
  /** Step folders under mcp/ and agents/. */
  mcp: string[];
  agents: string[];
}

export function newMetadata({
  folder,
  startedAt,
  taskId,
  tenantId,
}: {
  folder: string;
  startedAt: string;
  taskId: string;
  tenantId: string;
}): TaskLogMetadata {
  return {
    taskId,
    taskHash: taskHash(taskId),
    tenantId,
    folder,
    status: 'running',
    startedAt,
    updatedAt: startedAt,
    events: 0,
    lastSeq: 0,
    mcp: [],
    agents: [],
  };
}

/**
 * Folds one event into the summary. Every update sets a value (or adds to a set), so applying an event
 * twice — as after a redelivery — changes nothing.
 */
export function applyEvent(meta: TaskLogMetadata, e: Tasks.TaskEvent): void {
  if (e.at > meta.updatedAt) meta.updatedAt = e.at;
  const stepId = (e.data as { stepId?: unknown }).stepId;
  if (typeof stepId === 'string') {
    const list = e.name.startsWith('mcp.')
      ? meta.mcp
      : e.name.startsWith('a2a.')
        ? meta.agents
        : undefined;
    const folder = stepFolder(stepId);
    if (list && !list.includes(folder)) list.push(folder);
  }
  switch (e.name) {
    case 'orchestrator.task.started':
      meta.startedAt = e.at;
      meta.userId = e.data.userId;
      meta.task = truncateText(e.data.task);
      meta.planner = e.data.planner;
      if (e.data.threadId) meta.threadId = e.data.threadId;
      if (e.data.model) meta.model = e.data.model;
      break;
    case 'orchestrator.guardrail.violation': {
      const hit = { stage: e.data.stage, rule: e.data.rule };
      meta.guardrail ??= [];
      if (!meta.guardrail.some((g) => g.stage === hit.stage && g.rule === hit.rule))
        meta.guardrail.push(hit);
      break;
    }
    case 'orchestrator.task.completed':
      finish(meta, e, 'completed', e.data);
      meta.result = truncateText(e.data.result);
      meta.planner = e.data.planner;
      break;
    case 'orchestrator.task.failed':
      finish(meta, e, 'failed', e.data);
      meta.error = { code: e.data.error.code, message: truncateText(e.data.error.message) };
      break;
    case 'orchestrator.task.cancelled':
      finish(meta, e, 'cancelled', e.data);
      meta.error = { code: 'CANCELLED', message: truncateText(e.data.reason) };
      break;
    default:
      break;
  }
}

function finish(
  meta: TaskLogMetadata,
  e: Tasks.TaskEvent,
  status: TaskLogMetadata['status'],
  data: { steps: number; durationMs: number; usage?: Tasks.TokenUsage | undefined },
): void {
  meta.status = status;
  meta.finishedAt = e.at;
  meta.durationMs = Math.round(data.durationMs);
  meta.steps = data.steps;
  if (data.usage) meta.usage = data.usage;
}
