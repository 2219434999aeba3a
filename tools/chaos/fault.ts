// What a chaos fault is and what it is given to strike with: the shape every fault file (faults.ts,
// approval-faults.ts) and the run (phase.ts, main.ts) share, apart from the list of faults.
import type { ChaosStack } from './chaos-stack.js';
import type { ChaosLlm } from './llm-server.js';

export interface FaultContext {
  stack: ChaosStack;
  /**
   * Waits (bounded) until the load has work of this kind in flight, so that the fault hits it;
   * resolves with the number of accepted tasks running then.
   */
  inFlight(what: 'task' | 'tool' | 'agent'): Promise<number>;
  /** The LLM server (started on first use). */
  llm(): Promise<ChaosLlm>;
  /** Lines "message dead-lettered" about `subject` in every service log so far. */
  deadLetterLines(subject: string): number;
  /** Problems the fault itself found; they fail the fault. */
  findings: string[];
  /** Observations worth printing that do not fail it. */
  notes: string[];
}

export interface Fault {
  id: string;
  label: string;
  /** Part of the quick subset (CI). */
  quick: boolean;
  /** Struck on the cluster stack (`--cluster`: three NATS nodes, two replicas of each service). */
  cluster?: boolean;
  /** While it lasts, may the gateway turn users away (cleanly)? Only when it or NATS is down. */
  refusals: 'none' | 'clean';
  /** Before the load starts (e.g. switch the planner). */
  setup?(ctx: FaultContext): Promise<void>;
  /** Strikes, lasts and ends; resolves with the moment the fault ended (recovery counts from it). */
  strike(ctx: FaultContext): Promise<{ endedAt: number; outage: boolean }>;
  /** After the checks (e.g. switch the planner back). */
  teardown?(ctx: FaultContext): Promise<void>;
}
