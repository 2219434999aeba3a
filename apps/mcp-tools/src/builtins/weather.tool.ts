import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { HttpEndpointTool } from '../http/http-endpoint.tool.js';
import type { ToolImplementation } from '../registry/tool-implementation.js';

/** The credential the weather tool needs (an environment variable or a CREDENTIALS_FILE key). */
export const WEATHER_KEY = 'WEATHER_API_KEY';

/** The setting naming the weather API. */
export const WEATHER_URL = 'WEATHER_API_URL';

/**
 * Where the tool points while WEATHER_API_URL is unset. Never called: a tool with an unset setting is
 * refused before it runs (and `.invalid` resolves nowhere).
 */
const UNSET_URL = 'http://weather-api-url-unset.invalid/';

/**
 * `weather.current` (the name the built-in planner maps "weather in X" to): an `http_endpoint` tool
 * calling `GET WEATHER_API_URL?location=<location>` with WEATHER_API_KEY injected at call time, in the
 * WEATHER_API_KEY_HEADER header or the WEATHER_API_KEY_PARAM query parameter. The API answers JSON
 * with at least `location`, `temperatureC` and `conditions` (docs/tools.md). Always registered, so
 * that asking for it by name says what it needs; offered only once WEATHER_API_URL and
 * WEATHER_API_KEY are both set.
 */
export function createWeatherTool(config: McpToolsEnv): ToolImplementation {
  const key = `{{${WEATHER_KEY}}}`;
  const param = config.WEATHER_API_KEY_PARAM;
  const tool = new HttpEndpointTool(
    {
      name: 'weather.current',
      title: 'Current weather',
      description:
        'Current weather for a place: temperature in °C, conditions, and humidity and wind when known.',
      provider: 'weather',
      inputSchema: {
        type: 'object',
        properties: {
          location: {
            type: 'string',
            minLength: 1,
            maxLength: 200,
            description: 'A city or place name',
          },
        },
        required: ['location'],
        additionalProperties: false,
      },
      outputSchema: {
        type: 'object',
        properties: {
          location: { type: 'string' },
          temperatureC: { type: 'number' },
          conditions: { type: 'string' },
          humidity: { type: 'number' },
          windKph: { type: 'number' },
          observedAt: { type: 'string' },
        },
        required: ['location', 'temperatureC', 'conditions'],
      },
      handler: {
        kind: 'http_endpoint',
        url: config.WEATHER_API_URL ?? UNSET_URL,
        method: 'GET',
        headers: param ? {} : { [config.WEATHER_API_KEY_HEADER]: key },
        query: param ? { [param]: key } : {},
      },
      requiredCredentials: [WEATHER_KEY],
      idempotent: true,
      timeoutMs: 10_000,
    },
    { maxResponseBytes: config.TOOL_RESULT_MAX_BYTES },
  );
  if (config.WEATHER_API_URL) return tool;
  return {
    definition: tool.definition,
    unsetSettings: [WEATHER_URL],
    run: (input, ctx) => tool.run(input, ctx),
  };
}
