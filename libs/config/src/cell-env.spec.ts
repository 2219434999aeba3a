import { describe, expect, it } from '@jest/globals';
import { envPrefix, serviceEnv } from './cell-env.js';

describe(serviceEnv.name, () => {
  const env = {
    NATS_SERVERS: 'nats://127.0.0.1:4322',
    LOG_LEVEL: 'info',
    PORT: '3999',
    ORCHESTRATOR__DATABASE_URL: 'postgresql://db/sb_orchestrator',
    ORCHESTRATOR__PORT: '3001',
    MCP_TOOLS__DATABASE_URL: 'postgresql://db/sb_tools',
    MCP_TOOLS__NATS_NKEY_SEED_FILE: '/ids/mcp-tools.nk',
    GATEWAY__PORT: '3000',
    GATEWAY__LOG_LEVEL: 'debug',
    XMPP_BRIDGE__AZTM_JID: 'platform@agents.local',
  };

  it("overlays the process' environment with the service's own <SERVICE>__<KEY> values", () => {
    expect(serviceEnv('orchestrator', env)).toEqual({
      NATS_SERVERS: 'nats://127.0.0.1:4322',
      LOG_LEVEL: 'info',
      PORT: '3001',
      DATABASE_URL: 'postgresql://db/sb_orchestrator',
    });
    expect(serviceEnv('gateway', env)).toMatchObject({ PORT: '3000', LOG_LEVEL: 'debug' });
  });

  it("never shows a service another's values (a database URL, a NATS identity)", () => {
    const tools = serviceEnv('mcp-tools', env);
    expect(tools).toMatchObject({
      DATABASE_URL: 'postgresql://db/sb_tools',
      NATS_NKEY_SEED_FILE: '/ids/mcp-tools.nk',
    });
    expect(Object.keys(tools).filter((k) => k.includes('__'))).toEqual([]);
    expect(serviceEnv('audit', env)).toEqual({
      NATS_SERVERS: 'nats://127.0.0.1:4322',
      LOG_LEVEL: 'info',
      PORT: '3999',
    });
  });

  it('names the prefix of a service with a hyphen with an underscore', () => {
    expect(envPrefix('xmpp-bridge')).toBe('XMPP_BRIDGE__');
    expect(serviceEnv('xmpp-bridge', env)['AZTM_JID']).toBe('platform@agents.local');
  });
});
