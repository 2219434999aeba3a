// The names of the CLI's commands and the acting user it states by default: what the parsing
// (args.ts, args.parsing.ts, memory-args.ts) and the help text (cli.usage.ts) all name, kept apart
// from both so neither imports the other back.
import type { Actor } from '@switchboard/contracts';

/** `switchboard memory <sub>`: the operator's side of a request to be forgotten (docs/memory.md). */
export const MEMORY_SUBCOMMANDS = ['forget-user', 'forget-tenant', 'forget-namespace'] as const;
export type MemorySub = (typeof MEMORY_SUBCOMMANDS)[number];
export type MemoryCommandName = `memory ${MemorySub}`;

/** `switchboard eval run`: an experiment as a gate (docs/evaluations.md). */
export type EvalCommandName = 'eval run';

export type CommandName =
  'tail' | 'call' | 'audit verify' | 'schedules due' | MemoryCommandName | EvalCommandName;

/** The acting user the CLI states on what it sends, unless told otherwise (`--as`, `--role`). */
export const DEFAULT_ACTOR: Actor = { userId: 'switchboard-cli', role: 'admin' };
