import { z } from 'zod';

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
});
export type CellEnv = z.infer<typeof CellEnv>;
