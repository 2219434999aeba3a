import { describe, expect, it } from '@jest/globals';
import { definitionExport } from './service-definitions.js';

describe(definitionExport.name, () => {
  it("names each service's definition as its file exports it", () => {
    expect(definitionExport('gateway')).toBe('gatewayService');
    expect(definitionExport('mcp-tools')).toBe('mcpToolsService');
    expect(definitionExport('xmpp-bridge')).toBe('xmppBridgeService');
  });
});
