import { describe, expect, it } from '@jest/globals';
import { parseServiceList, START_ORDER } from './service-list.js';

describe(parseServiceList.name, () => {
  it('runs every service for `all`, in start order (the gateway last)', () => {
    expect(parseServiceList('all')).toEqual(START_ORDER);
    expect(parseServiceList(' all ').at(-1)).toBe('gateway');
  });

  it('takes a list in any order and with spaces, and starts it in start order', () => {
    expect(parseServiceList('gateway, orchestrator ,audit')).toEqual([
      'audit',
      'orchestrator',
      'gateway',
    ]);
  });

  it('refuses unknown names, naming every one and what is known', () => {
    expect(() => parseServiceList('gateway,orchestra,tools')).toThrow(
      'cell: SB_SERVICES names unknown services: "orchestra", "tools" (known: all, or a comma-separated list of gateway, orchestrator, mcp-tools, a2a, audit, xmpp-bridge)',
    );
    expect(() => parseServiceList('All')).toThrow('names unknown service: "All"');
  });

  it('refuses a list that names no service, or one twice', () => {
    expect(() => parseServiceList(' , ')).toThrow('cell: SB_SERVICES names no service');
    expect(() => parseServiceList('audit,gateway,audit')).toThrow('names audit twice');
  });
});
