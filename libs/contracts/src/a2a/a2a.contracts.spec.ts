import { AgentsList, Delegate, DelegationCancel, DelegationProgress } from './a2a.contracts.js';
import { researcherDelegation, researcherProgress, researcherResult } from './a2a.fixtures.js';
import { AgentName, DelegateRequest, DelegationUpdate } from './a2a.schemas.js';

describe('a2a contracts', () => {
  it('parses its fixtures', () => {
    expect(Delegate.request.parse(researcherDelegation)).toEqual(researcherDelegation);
    expect(Delegate.response.parse(researcherResult)).toEqual(researcherResult);
    for (const u of researcherProgress) expect(DelegationUpdate.parse(u)).toEqual(u);
  });

  it('rejects a bad delegation, naming the fields', () => {
    const bad = DelegateRequest.safeParse({
      ...researcherDelegation,
      agent: 'Research Bot',
      message: '  ',
      extra: 1,
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.') || i.message);
    expect(paths).toEqual(expect.arrayContaining(['agent', 'message']));
    expect(JSON.stringify(bad.error!.issues)).toContain('extra');
  });

  it('keeps agent names usable as plan targets and policy keys', () => {
    expect(AgentName.safeParse('researcher').success).toBe(true);
    expect(AgentName.safeParse('doc-writer_2').success).toBe(true);
    expect(AgentName.safeParse('Writer').success).toBe(false);
    expect(AgentName.safeParse('a.b').success).toBe(false);
  });

  it('builds per-delegation progress and cancel subjects', () => {
    const id = researcherDelegation.delegationId;
    expect(DelegationProgress.subject(id)).toBe(`sb.evt.a2a.delegation.${id}`);
    expect(DelegationCancel.subject(id)).toBe(`sb.ctl.a2a.delegation.${id}.cancel`);
    expect(AgentsList.subject).toBe('sb.cmd.a2a.agents.list');
    expect(Delegate.subject).toBe('sb.cmd.a2a.delegate');
  });

  it('keeps the agent listing compatible: older summaries (no circuit/problem) still parse', () => {
    const summary = {
      name: 'researcher',
      description: 'd',
      baseUrl: 'http://r.example',
      transport: 'http',
      skills: [],
      available: true,
    };
    expect(AgentsList.response.parse({ agents: [summary] })).toEqual({ agents: [summary] });
  });
});
