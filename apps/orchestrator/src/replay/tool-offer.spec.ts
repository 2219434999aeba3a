import { describe, expect, it } from '@jest/globals';
import type { Tools } from '@switchboard/contracts';
import { toolOfferConflict, toolOfferDivergence, toolVersion } from './tool-offer.js';

const calculator: Tools.ManifestTool = {
  name: 'calculator',
  title: 'Calculator',
  description: 'Evaluates an arithmetic expression.',
  provider: 'builtin',
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
  idempotent: true,
};
const notes: Tools.ManifestTool = {
  name: 'notes.add',
  title: 'Add a note',
  description: 'Stores a note.',
  provider: 'builtin',
  inputSchema: { type: 'object', properties: { content: { type: 'string' } } },
  idempotent: false,
};

describe('the tools a replay is offered against its record', () => {
  it('gives a definition the same version whatever the order of its keys', () => {
    const reordered = Object.fromEntries(
      Object.entries(calculator).reverse(),
    ) as Tools.ManifestTool;
    expect(toolVersion(reordered)).toBe(toolVersion(calculator));
    expect(toolVersion(calculator)).toMatch(/^[0-9a-f]{12}$/);
    expect(toolVersion({ ...calculator, description: 'Adds.' })).not.toBe(toolVersion(calculator));
  });

  it('finds nothing when the recorded tools are offered as they were, whatever else is offered now', () => {
    const extra = { ...notes, name: 'admin.debug' };
    expect(toolOfferDivergence([calculator, notes], [extra, notes, calculator])).toBeUndefined();
  });

  it("diverges at round 1 when a recorded tool's input schema or description changed, naming the parts", () => {
    const changed: Tools.ManifestTool = {
      ...calculator,
      description: 'Evaluates an expression (now with functions).',
      inputSchema: {
        type: 'object',
        properties: { expression: { type: 'string' }, precision: { type: 'integer' } },
        required: ['expression'],
      },
    };
    const d = toolOfferDivergence([calculator, notes], [changed, notes]);
    expect(d).toEqual({
      at: 'round',
      round: 1,
      expected: { tools: [{ name: 'calculator', version: toolVersion(calculator) }] },
      got: { tools: [{ name: 'calculator', version: toolVersion(changed) }] },
      summary:
        'round 1: the tools offered differ from the recorded ones: the definition of calculator changed (description, inputSchema)',
    });
  });

  it('diverges when an approval policy now applies, and when a recorded tool is no longer offered', () => {
    const approving: Tools.ManifestTool = {
      ...calculator,
      approval: {
        approvers: { requester: false, roles: ['admin'], users: [] },
        allowSelf: false,
        expiresInMs: 86_400_000,
        onExpiry: 'reject',
      },
    };
    const d = toolOfferDivergence([calculator, notes], [approving]);
    expect(d?.summary).toBe(
      'round 1: the tools offered differ from the recorded ones: the definition of calculator changed (approval); notes.add is no longer offered',
    );
    expect(d?.got).toEqual({
      tools: [
        { name: 'calculator', version: toolVersion(approving) },
        { name: 'notes.add', version: null },
      ],
    });
  });

  it('ends the replay with CONFLICT carrying the divergence', () => {
    const d = toolOfferDivergence([notes], []);
    const e = toolOfferConflict(d!);
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toBe(
      'the replay diverged from its record at round 1: the tools offered differ from the recorded ones: notes.add is no longer offered',
    );
    expect(e.details).toEqual({ divergence: d });
  });
});
