import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The sample agents' settings (environment). Deliberately independent of the platform's libraries. */
export const AgentConfig = z
  .object({
    AGENT_KIND: z.enum(['researcher', 'writer']).describe('Which sample agent to run.'),
    HOST: z
      .string()
      .default('127.0.0.1')
      .describe(
        'Listen address (loopback). With AGENT_SOCKET only /health, /readiness and /stats listen here.',
      ),
    PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(0)
      .describe('Listen port (0 = any free port).'),
    PUBLIC_URL: z
      .string()
      .url()
      .optional()
      .describe(
        'Base URL advertised in the agent card (e.g. http://researcher.agents.switchboard.local); default http://HOST:PORT.',
      ),
    AGENT_NAME: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('Card name (default "Researcher" / "Writer").'),
    AGENT_PROTOCOL: z
      .enum(['1.0', '0.3', 'both'])
      .default('both')
      .describe(
        'A2A versions served: 1.0 only, a legacy 0.3-only agent (v0.3 card and methods), or both.',
      ),
    AGENT_STREAMING: bool.default(true).describe('Declare (and serve) SendStreamingMessage.'),
    AGENT_STEP_DELAY_MS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(30)
      .describe('Pause between the work steps (status updates).'),
    AGENT_FAULT: z
      .enum(['none', 'flaky', 'down'])
      .default('none')
      .describe(
        'Fault injection on the A2A endpoint: `flaky` answers 503 to the first AGENT_FAULT_COUNT calls, `down` to every call.',
      ),
    AGENT_FAULT_COUNT: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_000)
      .default(2)
      .describe('How many calls a flaky agent fails.'),
    AGENT_SOCKET: z
      .string()
      .min(1)
      .max(107, 'a unix socket path has at most 107 bytes')
      .optional()
      .describe(
        "Serve the agent (card and A2A endpoint) on this unix socket only (mode 0600), for its bridge's XMPP_BRIDGE_HTTP_TARGET_SOCKET; HOST:PORT then serves /health, /readiness and /stats alone, so nothing reaches the agent around its bridge.",
      ),
  })
  .refine((c) => !c.AGENT_SOCKET || c.PUBLIC_URL, {
    path: ['PUBLIC_URL'],
    message: 'is required with AGENT_SOCKET (the card must name the host its bridge serves)',
  });
export type AgentConfig = z.infer<typeof AgentConfig>;
