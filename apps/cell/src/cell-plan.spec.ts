import { describe, expect, it } from '@jest/globals';
import { serviceEnv } from '@switchboard/config';
import { cellSettings, planCells, sharedPortProblems } from './cell-plan.js';
import { START_ORDER } from './service-list.js';

describe(planCells.name, () => {
  it('one cell runs every service, as before', () => {
    expect(planCells(START_ORDER, 1)).toEqual({ cells: [[...START_ORDER]] });
  });

  it('the gateway and the xmpp-bridge in the first cell only, every other service in every cell', () => {
    const shared = ['audit', 'mcp-tools', 'a2a', 'orchestrator'];
    expect(planCells(START_ORDER, 3).cells).toEqual([[...START_ORDER], shared, shared]);
    expect(planCells(['orchestrator', 'gateway'], 2).cells).toEqual([
      ['orchestrator', 'gateway'],
      ['orchestrator'],
    ]);
  });

  it('one cell, saying why, when every service named runs in one cell only', () => {
    expect(planCells(['xmpp-bridge', 'gateway'], 4)).toEqual({
      cells: [['xmpp-bridge', 'gateway']],
      note: 'one cell runs xmpp-bridge and gateway (they run in one cell only, so more would have nothing to do)',
    });
  });
});

describe(sharedPortProblems.name, () => {
  it('names each service whose port is 0, which cells cannot share', () => {
    expect(
      sharedPortProblems(['audit', 'orchestrator', 'gateway'], {
        PORT: '0',
        ORCHESTRATOR__PORT: '3001',
        GATEWAY__PORT: '3000',
      }),
    ).toEqual([
      'audit: PORT 0 gives each cell a port of its own; several cells share one: give AUDIT__PORT a number',
    ]);
    expect(sharedPortProblems(['gateway'], { GATEWAY__PORT: '3000' })).toEqual([]);
  });
});

describe(cellSettings.name, () => {
  const env = {
    INSTANCE_ID: 'cell-local-1',
    GATEWAY__INSTANCE_ID: 'gateway-local-1',
    ORCHESTRATOR__INSTANCE_ID: 'orchestrator-local-1',
    ORCHESTRATOR__PORT: '3001',
  };

  it("names the cell's services and number, and gives each replica an instance id of its own", () => {
    const second = cellSettings(env, 2, ['audit', 'orchestrator']);
    expect(second).toEqual({
      SB_SERVICES: 'audit,orchestrator',
      SB_CELL: '2',
      INSTANCE_ID: 'cell-local-1-c2',
      ORCHESTRATOR__INSTANCE_ID: 'orchestrator-local-1-c2',
    });
    // what each service then reads: its own id, or the cell's where it has none
    const seen = { ...env, ...second };
    expect(serviceEnv('orchestrator', seen)['INSTANCE_ID']).toBe('orchestrator-local-1-c2');
    expect(serviceEnv('audit', seen)['INSTANCE_ID']).toBe('cell-local-1-c2');
    expect(serviceEnv('orchestrator', seen)['PORT']).toBe('3001');
  });

  it('leaves ids unset where none were given (hostname-pid differs from cell to cell anyway)', () => {
    expect(cellSettings({}, 1, ['gateway'])).toEqual({ SB_SERVICES: 'gateway', SB_CELL: '1' });
  });
});
