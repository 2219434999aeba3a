import { describe, expect, it } from '@jest/globals';
import { TASK_WALKTHROUGH } from '@switchboard/contracts';
import { walkthroughSection, withWalkthrough } from './walkthrough.js';

describe('the generated task walkthrough', () => {
  const section = walkthroughSection();

  it('numbers every hop in order, each NATS hop with its subject and the services at both ends', () => {
    const hops = section.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(hops).toHaveLength(TASK_WALKTHROUGH.length);
    expect(hops[1]).toMatch(
      /^2\. \*\*gateway → orchestrator\*\* — `sb\.task\.submit`, stored in `SB_TASKS`/,
    );
    expect(hops.find((l) => l.includes('sb.cmd.tools.call.{taskId}'))).toMatch(
      /\*\*orchestrator → mcp-tools\*\*.*_for each tool step_/,
    );
  });

  it('replaces only what lies between its markers, and refuses a page without them', () => {
    const [start, , , , , ...rest] = section.split('\n');
    const end = rest.at(-1)!;
    const doc = `# A\n\n${start}\nstale text\n${end}\n\n## B\n`;
    const out = withWalkthrough(doc);
    expect(out.startsWith('# A\n\n')).toBe(true);
    expect(out.endsWith('\n\n## B\n')).toBe(true);
    expect(out).not.toContain('stale text');
    expect(withWalkthrough(out)).toBe(out);
    expect(() => withWalkthrough('# no markers\n')).toThrow(/walkthrough markers are missing/);
  });
});
