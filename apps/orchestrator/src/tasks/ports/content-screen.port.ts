import type { DomainError, Tasks } from '@switchboard/contracts';
import type { RunSourceView, TaskRunView } from './task-run.view.js';

/** What replaces blocked text wherever the task would otherwise have stored it (rows, turns, events). */
export const BLOCKED_PLACEHOLDER = '[blocked by a guardrail]';

/** Where text was stopped: the task's input, or what was generated or brought back (output). */
export type ScreenStage = 'input' | 'output';

/** Which rule stopped a text. Never the text itself: naming what matched would repeat it. */
export interface ScreenHit {
  stage: ScreenStage;
  rule: string;
}

/**
 * A port of the task core: the screen every text the task would store, stream or show passes through
 * — the guardrails (guardrails/guardrails.ts) plug in. The core asks at three points: the task's
 * input before anything is stored (a hit: the placeholder is stored instead, and the task fails once
 * claimed), the text the planner generated (a hit fails the round, nothing generated is kept), and
 * what each step brought back (a hit fails the step, the placeholder stands for its output).
 *
 * A plug-in must be synchronous and must not throw; it reports each hit itself (the task event on
 * the run's sequence, at the moment it is called, and whatever else it keeps) and returns the error
 * the core fails the task, round or step with.
 */
export interface ContentScreen {
  /**
   * The submission's text (`request.task`) before the claim: the hit, or undefined when it passes.
   * Nothing is reported yet: the run that carries the report does not exist before the claim.
   */
  checkInput(submission: Tasks.TaskSubmission, source: RunSourceView): ScreenHit | undefined;
  /** Reports an input hit on the claimed run; the error that ends the task. */
  block(run: TaskRunView, hit: ScreenHit, blockedChars: number): DomainError;
  /** What the planner generated: undefined when it passes, or (reported) the error that ends the round. */
  screenAnswer(run: TaskRunView, generated: string): DomainError | undefined;
  /** What a step brought back: undefined when it passes, or (reported) the error that fails the step. */
  screenStep(run: TaskRunView, stepId: string, value: unknown): DomainError | undefined;
}

export const CONTENT_SCREEN = Symbol('CONTENT_SCREEN');
