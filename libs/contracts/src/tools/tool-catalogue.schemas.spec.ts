import {
  constraintIssues,
  constraintsRejected,
  type ToolCatalogue,
} from './tool-catalogue.schemas.js';

const catalogue: ToolCatalogue = {
  registryVersion: 'v1',
  tools: [
    { name: 'calculator', provider: 'math', configured: true },
    {
      name: 'weather.current',
      provider: 'weather',
      configured: false,
      needs: ['WEATHER_API_KEY'],
      reason:
        'weather.current is not configured on this platform: it needs WEATHER_API_KEY (docs/tools.md)',
    },
    { name: 'demo__echo', provider: 'demo', configured: true },
  ],
  providers: [
    { name: 'math', requiresAuthorization: false, toolsPending: false },
    { name: 'weather', requiresAuthorization: false, toolsPending: false },
    { name: 'demo', requiresAuthorization: false, toolsPending: false },
    { name: 'github', requiresAuthorization: true, toolsPending: true },
  ],
};

describe('constraintIssues', () => {
  it('has none for constraints naming real, configured providers and tools', () => {
    expect(
      constraintIssues(
        { mode: 'custom', providers: ['math', 'demo'], tools: ['calculator'] },
        catalogue,
        'tool_constraints',
      ),
    ).toEqual([]);
    expect(constraintIssues({ mode: 'auto' }, catalogue, 'tool_constraints')).toEqual([]);
  });

  it('names each unknown provider and tool by its path', () => {
    expect(
      constraintIssues(
        { mode: 'custom', providers: ['math', 'nope'], tools: ['calculatr', 'calculator'] },
        catalogue,
        'tool_constraints',
      ),
    ).toEqual([
      { path: 'tool_constraints.providers.1', message: 'no provider "nope"' },
      { path: 'tool_constraints.tools.0', message: 'no tool "calculatr"' },
    ]);
  });

  it('says what an unconfigured tool needs, and refuses a provider whose tools all need something', () => {
    expect(
      constraintIssues(
        { mode: 'custom', providers: ['weather'], tools: ['weather.current'] },
        catalogue,
        '',
      ),
    ).toEqual([
      {
        path: 'providers.0',
        message:
          'provider "weather" has no usable tool: weather.current is not configured on this platform: it needs WEATHER_API_KEY (docs/tools.md)',
      },
      {
        path: 'tools.0',
        message:
          'weather.current is not configured on this platform: it needs WEATHER_API_KEY (docs/tools.md)',
      },
    ]);
  });

  it('does not take the tools of a disconnected MCP server for unknown', () => {
    expect(
      constraintIssues(
        { mode: 'custom', tools: ['github__search', 'demo__nope', 'github'] },
        catalogue,
        'tool_constraints',
      ),
    ).toEqual([
      { path: 'tool_constraints.tools.1', message: 'no tool "demo__nope"' },
      { path: 'tool_constraints.tools.2', message: 'no tool "github"' },
    ]);
  });

  it('makes the VALIDATION error a rejected request has', () => {
    const error = constraintsRejected('request body', [
      { path: 'tool_constraints.tools.0', message: 'no tool "calculatr"' },
    ]);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      message: 'invalid request body: tool_constraints.tools.0: no tool "calculatr"',
      details: { issues: [{ path: 'tool_constraints.tools.0', message: 'no tool "calculatr"' }] },
    });
  });
});
