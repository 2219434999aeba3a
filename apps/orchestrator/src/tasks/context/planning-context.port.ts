import type { Actor, Tools } from '@switchboard/contracts';

/** What a provider is told of the task it gives context to. */
export interface PlanningContextRequest {
  taskId: string;
  actor: Actor;
  /** The task's text. */
  task: string;
  threadId?: string | undefined;
  /** The tools the task was offered (its manifest): a provider backed by a tool asks only if offered. */
  offered: ReadonlySet<string>;
  signal: AbortSignal;
}

/** What providers add to every planning round of the task. */
export interface PlanningContext {
  /** Items recalled from long-term memory, best match first (docs/memory.md). */
  recalled?: readonly Tools.RecalledMemory[];
}

/**
 * A port of the task core: a feature that gives the planner context beyond the task and its thread
 * — long-term memory's recall — read once per run, after the manifest, before the first round.
 * Features plug in here (app.module composes them); the task core imports none of them. A provider
 * that cannot answer gives no context rather than failing the task (the planner plans without it).
 */
export interface PlanningContextProvider {
  provide(request: PlanningContextRequest): Promise<PlanningContext>;
}

export const PLANNING_CONTEXT_PROVIDERS = Symbol('PLANNING_CONTEXT_PROVIDERS');

/** Every provider's context, merged in provider order. */
export async function planningContext(
  providers: readonly PlanningContextProvider[],
  request: PlanningContextRequest,
): Promise<PlanningContext> {
  const contexts = await Promise.all(providers.map((p) => p.provide(request)));
  const recalled = contexts.flatMap((c) => c.recalled ?? []);
  return recalled.length ? { recalled } : {};
}
