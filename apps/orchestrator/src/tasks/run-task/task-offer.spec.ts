import { describe, expect, it } from '@jest/globals';
import { Tools } from '@switchboard/contracts';
import { toolFingerprint } from '@switchboard/runtime';
import type { ObservedStep } from '../../planning/planner.js';
import { TaskOffer } from './task-offer.js';

const tool = (name: string, extra: Partial<Tools.ManifestTool> = {}): Tools.ManifestTool => ({
  name,
  title: name,
  description: `the ${name}`,
  provider: 'p',
  inputSchema: { type: 'object' },
  idempotent: true,
  ...extra,
});
const calc = tool('calculator');
const search = tool(Tools.SEARCH_TOOL_NAME);
const issue = tool('gh__create_issue', { deferred: true });
const { deferred: _d, ...found } = issue;
const searchStep = (
  id: string,
  hits: Tools.ManifestTool[],
  status = 'completed',
): ObservedStep => ({
  action: {
    id,
    kind: 'tool',
    target: Tools.SEARCH_TOOL_NAME,
    input: { query: 'issue' },
    description: '',
  },
  status: status as ObservedStep['status'],
  output: {
    query: 'issue',
    searched: 3,
    results: hits.map((t) => ({ tool: t, score: 1, fingerprint: toolFingerprint(t) })),
  },
});
const manifest = [calc, issue, search];
const catalogOf = (tools: Tools.ManifestTool[]) => new Map(tools.map((t) => [t.name, t]));

describe(TaskOffer.name, () => {
  it('offers the tools not deferred, then adds what a completed search found, announced once', () => {
    const offer = new TaskOffer(manifest, catalogOf(manifest));
    expect(offer.planningTools([]).tools.map((t) => t.name)).toEqual([
      'calculator',
      'search_tools',
    ]);
    const steps = [searchStep('s1', [found])];
    const next = offer.planningTools(steps);
    expect(next.tools.map((t) => t.name)).toEqual([
      'calculator',
      'search_tools',
      'gh__create_issue',
    ]);
    expect(next.tools.at(-1)).not.toHaveProperty('deferred');
    expect(next.grown).toEqual([
      {
        stepId: 's1',
        query: 'issue',
        tools: [{ name: found.name, fingerprint: toolFingerprint(found) }],
      },
    ]);
    expect(offer.planningTools(steps).grown).toEqual([]);
    expect([...offer.foundTools.keys()]).toEqual(['gh__create_issue']);
  });

  it('ignores failed searches and steps of other tools', () => {
    const offer = new TaskOffer(manifest, catalogOf(manifest));
    const other = {
      ...searchStep('s2', [found]),
      action: { ...searchStep('s2', []).action, target: 'calculator' },
    };
    const { tools, grown } = offer.planningTools([searchStep('s1', [found], 'failed'), other]);
    expect(tools.map((t) => t.name)).toEqual(['calculator', 'search_tools']);
    expect(grown).toEqual([]);
  });

  it('a fork onto a changed catalog offers the definition of now and says what differs', () => {
    const changed = tool('gh__create_issue', { description: 'changed', deferred: true });
    const offer = new TaskOffer([calc, changed, search], catalogOf([calc, changed, search]));
    const gone = tool('gh__gone');
    const { tools, grown } = offer.planningTools([searchStep('s1', [found, gone])]);
    expect(tools.find((t) => t.name === 'gh__create_issue')?.description).toBe('changed');
    expect(tools.map((t) => t.name)).not.toContain('gh__gone');
    expect(grown[0]?.changed).toEqual([
      { name: 'gh__create_issue', recorded: toolFingerprint(found), now: toolFingerprint(changed) },
      { name: 'gh__gone', recorded: toolFingerprint(gone), now: null },
    ]);
  });

  it('a replay (no catalog) plans with what its record found', () => {
    const offer = new TaskOffer([calc, search], undefined);
    const { tools, grown } = offer.planningTools([searchStep('s1', [found])]);
    expect(tools.at(-1)).toEqual(found);
    expect(grown[0]?.changed).toBeUndefined();
  });
});
