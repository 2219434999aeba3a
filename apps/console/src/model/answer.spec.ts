import { describe, expect, it } from '@jest/globals';
import { answerParts } from './answer';

const research = '## NATS JetStream\n\n- streams keep messages\n- consumers replay them';
const draft = '# Summary: NATS JetStream\n\nJetStream keeps messages.';

describe(answerParts.name, () => {
  it("gives each delegation's reply its own part, labelled by its agent, as the built-in planner joins them", () => {
    const answer = `researcher replied: ${research} writer replied: ${draft}`;
    expect(
      answerParts(answer, [
        { agent: 'researcher', text: research },
        { agent: 'writer', text: draft },
      ]),
    ).toEqual([
      { agent: 'researcher', text: research },
      { agent: 'writer', text: draft },
    ]);
  });

  it("keeps the answer's own text around the replies (tool steps' outcomes)", () => {
    const answer = `17 * 23 = 391. researcher replied: ${research} Saved note n1: "391".`;
    expect(answerParts(answer, [{ agent: 'researcher', text: research }])).toEqual([
      { text: '17 * 23 = 391.' },
      { agent: 'researcher', text: research },
      { text: 'Saved note n1: "391".' },
    ]);
  });

  it("is one part for an answer in a model's own words, and for a task without delegations", () => {
    const own = 'JetStream persists messages; the writer drafted a summary.';
    expect(answerParts(own, [{ agent: 'writer', text: draft }])).toEqual([{ text: own }]);
    expect(answerParts('17 * 23 = 391.', [])).toEqual([{ text: '17 * 23 = 391.' }]);
  });

  it('tells two replies of the same agent apart, in order', () => {
    const answer = 'researcher replied: first researcher replied: second';
    expect(
      answerParts(answer, [
        { agent: 'researcher', text: 'first' },
        { agent: 'researcher', text: 'second' },
      ]),
    ).toEqual([
      { agent: 'researcher', text: 'first' },
      { agent: 'researcher', text: 'second' },
    ]);
  });
});
