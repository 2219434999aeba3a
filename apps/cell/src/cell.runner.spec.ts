import { describe, expect, it } from '@jest/globals';
import { type BaseEnv, ConfigError } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import type { ServiceDefinition } from '@switchboard/runtime';
import { defineServices } from './cell.runner.js';
import type { DefineService } from './service-definitions.js';

/** A definition that reads only PORT from the env it is given (and refuses a missing one). */
const fake =
  (service: ServiceName): DefineService =>
  (env) => {
    if (!env['PORT']) throw new ConfigError(service, ['PORT: Required (is missing)']);
    return {
      service,
      config: { PORT: Number(env['PORT']) } as BaseEnv,
      module: () => class {},
    } as ServiceDefinition<BaseEnv>;
  };
const definitions = new Map<ServiceName, DefineService>(
  (['audit', 'orchestrator', 'gateway'] as const).map((s) => [s, fake(s)]),
);

describe(defineServices.name, () => {
  it('makes each definition from its own view of the environment', () => {
    const defs = defineServices(['orchestrator', 'gateway'], definitions, {
      ORCHESTRATOR__PORT: '3001',
      GATEWAY__PORT: '3000',
    });
    expect(defs.map((d) => `${d.service}:${d.config.PORT}`)).toEqual([
      'orchestrator:3001',
      'gateway:3000',
    ]);
  });

  it("stops at a service's invalid settings with its own message, before anything starts", () => {
    expect(() =>
      defineServices(['audit', 'gateway'], definitions, { GATEWAY__PORT: '3000' }),
    ).toThrow('audit: invalid configuration (1 problem):\n  - PORT: Required (is missing)');
  });

  it('refuses two services on one port, naming them', () => {
    expect(() =>
      defineServices(['audit', 'orchestrator', 'gateway'], definitions, {
        PORT: '3000',
        ORCHESTRATOR__PORT: '3001',
      }),
    ).toThrow('cell: audit and gateway would all listen on port 3000');
    // Port 0 is a port of its own for each, chosen by the system.
    expect(defineServices(['audit', 'gateway'], definitions, { PORT: '0' })).toHaveLength(2);
  });
});
