import type { Tools } from '@switchboard/contracts';
import { describe, expect, it } from '@jest/globals';
import { audienceOf, toolsByProvider } from './catalogue';

const tool = (name: string, provider: string, more: Partial<Tools.ManifestTool> = {}) => ({
  name,
  title: name,
  description: '',
  provider,
  inputSchema: { type: 'object' },
  idempotent: true,
  ...more,
});

describe(audienceOf.name, () => {
  it('says admin-only, not "any role", for a tool only admins are offered', () => {
    expect(audienceOf({ adminOnly: true })).toBe('admin-only');
    expect(audienceOf({ adminOnly: true, requiredRole: 'user' })).toBe('admin-only');
    expect(audienceOf({ requiredRole: 'analyst' })).toBe('role analyst');
    expect(audienceOf({})).toBe('any role');
  });
});

describe(toolsByProvider.name, () => {
  it('groups tools by provider, with those not configured here and the reason', () => {
    const by = toolsByProvider({
      mode: 'auto',
      cached: false,
      generatedAt: '2026-11-24T10:00:00.000Z',
      tools: [
        tool('calculator', 'math'),
        { ...tool('weather.old', 'weather'), configured: false, reason: 'needs WEATHER_API_URL' },
      ],
      unconfigured: [
        {
          name: 'weather.current',
          title: 'Current weather',
          provider: 'weather',
          needs: ['WEATHER_API_KEY'],
          reason: 'r',
        },
      ],
    });
    expect([...by.keys()]).toEqual(['math', 'weather']);
    expect(by.get('math')).toEqual([{ configured: true, tool: tool('calculator', 'math') }]);
    expect(by.get('weather')).toEqual([
      {
        configured: false,
        name: 'weather.old',
        title: 'weather.old',
        provider: 'weather',
        reason: 'needs WEATHER_API_URL',
      },
      {
        configured: false,
        name: 'weather.current',
        title: 'Current weather',
        provider: 'weather',
        reason: 'r',
      },
    ]);
  });
});
