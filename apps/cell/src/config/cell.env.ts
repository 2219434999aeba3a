import { z } from 'zod';

/** The most cells SB_CELLS may ask for: far beyond any one machine's cores, short of a typo's 1000. */
export const MAX_CELLS = 64;

/**
 * The cell's own settings (the services it runs read theirs, each from its own view of the
 * environment: libs/config/src/cell-env.ts).
 */
export const CellEnv = z.object({
  SB_SERVICES: z
    .string()
    .default('all')
    .describe(
      'Which services the cell runs in its one process: `all`, or a comma-separated list of gateway, orchestrator, mcp-tools, a2a, audit, xmpp-bridge. Each keeps its own settings, read from the environment overlaid with its `<SERVICE>__<KEY>` values (e.g. `ORCHESTRATOR__DATABASE_URL`, `GATEWAY__PORT`; docs/operations.md "One process: the cell")',
    ),
  SB_IN_PROCESS_BUS: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      'Whether a request between two services of the cell is served in the process (`on`: the same contract schemas and NATS permissions, copied to the traffic\'s watchers on `sb.tap.<service>`) or sent over NATS like any other (`off`). Requests to services outside the cell always go over NATS (docs/operations.md "One process: the cell")',
    ),
  SB_CELLS: z
    .string()
    .trim()
    .toLowerCase()
    .default('auto')
    .refine((v) => v === 'auto' || (/^[1-9][0-9]*$/.test(v) && Number(v) <= MAX_CELLS), {
      message: `auto, or a whole number from 1 to ${MAX_CELLS}`,
    })
    .describe(
      `How many cells run the services on this machine, each a process of its own sharing the work like replicas: \`auto\` (one per core this process may use but one, left to the databases and NATS beside it: os.availableParallelism() − 1; in a container with a CPU limit, that limit; at least 1) or a whole number from 1 to ${MAX_CELLS}. \`1\` is one process, as before; more are the workers of one supervising process, which restarts a cell that dies and stops them all on SIGTERM. The gateway and the xmpp-bridge run in the first cell only, the other services in every cell; every service keeps its port (docs/operations.md "Every core: several cells")`,
    ),
});
export type CellEnv = z.infer<typeof CellEnv>;
