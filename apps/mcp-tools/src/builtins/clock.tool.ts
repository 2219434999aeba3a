import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import type { ToolImplementation } from '../registry/tool-implementation.js';

@Injectable()
export class ClockTool implements ToolImplementation {
  readonly definition = {
    name: 'time.now',
    title: 'Current time',
    description:
      'Returns the current date and time, optionally in an IANA time zone (e.g. Europe/Paris).',
    provider: 'clock',
    inputSchema: {
      type: 'object',
      properties: { timezone: { type: 'string', minLength: 1, maxLength: 64 } },
      additionalProperties: false,
    },
    outputSchema: {
      type: 'object',
      properties: {
        iso: { type: 'string' },
        timezone: { type: 'string' },
        local: { type: 'string' },
        epochMs: { type: 'integer' },
      },
      required: ['iso', 'timezone', 'local', 'epochMs'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: 'time.now' },
    idempotent: true,
  };

  async run(input: Record<string, unknown>): Promise<unknown> {
    const timezone = typeof input['timezone'] === 'string' ? input['timezone'] : 'UTC';
    const now = new Date();
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-GB', {
        timeZone: timezone,
        dateStyle: 'full',
        timeStyle: 'long',
      }).format(now);
    } catch {
      throw new DomainError('VALIDATION', `timezone: "${timezone}" is not an IANA time zone`);
    }
    return { iso: now.toISOString(), timezone, local, epochMs: now.getTime() };
  }
}
