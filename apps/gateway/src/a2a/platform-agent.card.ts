import { A2A_PROTOCOL_VERSION, AgentCard } from '@a2a-js/sdk';
import { A2A_LEGACY_PROTOCOL_VERSION } from '@a2a-js/sdk/compat/v0_3';
import { PLATFORM_VERSION } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';

/** Where the JSON-RPC endpoint is mounted (the card itself lives at the root's /.well-known/). */
export const A2A_ENDPOINT_PATH = 'a2a';

/** One security scheme under `name`, and the requirement that callers use it. */
function requiredScheme(name: string, scheme: Record<string, unknown>): Record<string, unknown> {
  return {
    securitySchemes: { [name]: scheme },
    securityRequirements: [{ schemes: { [name]: { list: [] } } }],
  };
}

/** The security scheme that matches how the gateway authenticates (AUTH_MODE). */
function security(config: GatewayEnv): Record<string, unknown> {
  switch (config.AUTH_MODE) {
    case 'jwt':
      return requiredScheme('bearer', {
        httpAuthSecurityScheme: {
          scheme: 'Bearer',
          bearerFormat: 'JWT',
          description: 'A Supabase (or other issuer) access token.',
        },
      });
    case 'trusted-headers':
      return requiredScheme('proxy', {
        apiKeySecurityScheme: {
          location: 'header',
          name: config.TRUSTED_PROXY_HEADER,
          description: 'Only through the trusted proxy, which also forwards X-Supabase-User-ID.',
        },
      });
    case 'dev':
      return requiredScheme('devUser', {
        apiKeySecurityScheme: {
          location: 'header',
          name: 'X-User-Id',
          description: 'Development mode: the acting user id (never in production).',
        },
      });
  }
}

/**
 * The platform's own agent card, with its endpoint under `baseUrl` (as the caller reached the gateway).
 * The one JSON-RPC endpoint speaks A2A 1.0 (preferred, first) and 0.3, so it is listed once per version,
 * as the spec lists an interface that serves several versions; the endpoint picks the version by the
 * request's `A2A-Version` header (none means 0.3).
 */
export function platformAgentCard(config: GatewayEnv, baseUrl: string): AgentCard {
  return AgentCard.fromJSON({
    name: 'Switchboard',
    description:
      'Runs a task through the Switchboard platform: an orchestrator plans it and carries it out with the tools and remote agents this platform offers you (those configured on it that you may use). Send the task as text; the answer comes back as the `result` artifact.',
    version: PLATFORM_VERSION,
    provider: { organization: 'Switchboard', url: baseUrl },
    ...(config.EXPOSE_OPENAPI ? { documentationUrl: `${baseUrl}/openapi.json` } : {}),
    supportedInterfaces: [A2A_PROTOCOL_VERSION, A2A_LEGACY_PROTOCOL_VERSION].map(
      (protocolVersion) => ({
        url: `${baseUrl}/${A2A_ENDPOINT_PATH}`,
        protocolBinding: 'JSONRPC',
        protocolVersion,
      }),
    ),
    capabilities: { streaming: true, pushNotifications: true, extendedAgentCard: true },
    ...security(config),
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills: [
      {
        id: 'run-task',
        name: 'Run a task',
        description:
          'Plans and runs a task with the tools and remote agents you may use, streaming progress as task status updates.',
        tags: ['orchestration', 'tools', 'delegation'],
        examples: [
          'what is 17 * 23, then save the result as a note',
          'ask the researcher about NATS JetStream, then have the writer draft a summary',
        ],
      },
    ],
  });
}
