import { describe, expect, it } from '@jest/globals';
import { CATALOGUE, type ServiceName } from '@switchboard/contracts';
import { parseServiceList, START_ORDER } from './service-list.js';

describe(parseServiceList.name, () => {
  it('runs every service for `all`, in start order (the gateway last)', () => {
    expect(parseServiceList('all')).toEqual(START_ORDER);
    expect(parseServiceList(' all ').at(-1)).toBe('gateway');
  });

  it('starts a service after every service it calls, so the reverse order stops it first', () => {
    // From the contracts (each command's service and callers). Calls back into the orchestrator —
    // approvals listed or decided over XMPP, an approved call verified by mcp-tools or a2a — are the
    // exception: they serve the orchestrator's own tasks, which it drains before it stops.
    const calls = CATALOGUE.commands.flatMap((c) =>
      (c.callers ?? [])
        .filter((caller) => caller !== c.service && caller !== 'admin')
        .filter(() => c.service !== 'orchestrator')
        .map((caller) => [caller, c.service] as const),
    );
    expect(calls).toContainEqual(['orchestrator', 'a2a']);
    expect(calls).toContainEqual(['a2a', 'xmpp-bridge']);
    const at = (s: string) => START_ORDER.indexOf(s as ServiceName);
    for (const [caller, callee] of calls)
      expect({ caller, callee, calleeFirst: at(callee) < at(caller) }).toEqual({
        caller,
        callee,
        calleeFirst: true,
      });
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
