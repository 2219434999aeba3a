import { describe, expect, it } from '@jest/globals';
import {
  approversWords,
  changedWords,
  durationWords,
  formOf,
  needsApprovalWords,
  onExpiryWords,
  type PolicyForm,
  policyBody,
  problemLines,
  sortedPolicies,
  sourceWords,
  toolNameProblem,
} from './approval-policies';

const DAY = 24 * 3_600_000;

describe(approversWords.name, () => {
  it('names who may decide, with the defaults filled in', () => {
    expect(approversWords({})).toBe('the requester');
    expect(needsApprovalWords({})).toBe('needs approval: the requester');
    expect(
      approversWords({ approvers: { requester: true, roles: ['finance'], users: ['bob'] } }),
    ).toBe('the requester or role finance or user bob');
    expect(approversWords({ approvers: { requester: false, roles: ['a', 'b'], users: [] } })).toBe(
      'roles a, b',
    );
    expect(approversWords({ approvers: { requester: false, users: ['bob', 'carl'] } })).toBe(
      'users bob, carl',
    );
  });

  it('says four eyes when the requester may never decide their own call', () => {
    expect(
      approversWords({ approvers: { requester: false, roles: ['finance'] }, allowSelf: false }),
    ).toBe('role finance (four eyes: never the requester)');
  });
});

describe(durationWords.name, () => {
  it('reads as days, hours, minutes and seconds', () => {
    expect(durationWords(DAY)).toBe('1 day');
    expect(durationWords(30 * DAY)).toBe('30 days');
    expect(durationWords(3_600_000)).toBe('1 h');
    expect(durationWords(9_000_000)).toBe('2 h 30 min');
    expect(durationWords(90_000)).toBe('1 min 30 s');
    expect(durationWords(1_500)).toBe('1 s 500 ms');
  });
});

describe(sourceWords.name, () => {
  it('says where a policy comes from, and who set an override', () => {
    expect(sourceWords({ source: 'definition' })).toBe('definition');
    expect(sourceWords({ source: 'override', setBy: 'root' })).toBe('override by root');
    expect(sourceWords({ source: 'override' })).toBe('override');
    expect(sourceWords({ source: 'none' })).toBe('none');
    expect(onExpiryWords('fail')).toBe('the task fails');
    expect(onExpiryWords('reject')).toBe('the call counts as rejected');
  });
});

describe(changedWords.name, () => {
  it('says what a change left in force', () => {
    expect(changedWords({ tool: 'notes.add', policy: null, source: 'none' })).toBe(
      'notes.add: its calls need no approval now.',
    );
    expect(
      changedWords({
        tool: 'notes.add',
        policy: formPolicy({ requester: false, roles: 'finance', fourEyes: true }),
        source: 'override',
      }),
    ).toBe('notes.add needs approval: role finance (four eyes: never the requester) (override).');
  });
});

describe(sortedPolicies.name, () => {
  it('orders by tool name', () => {
    const p = formPolicy({});
    expect(
      sortedPolicies([
        { tool: 'notes.add', policy: p, source: 'definition' },
        { tool: 'calculator', policy: p, source: 'override' },
      ]).map((e) => e.tool),
    ).toEqual(['calculator', 'notes.add']);
  });
});

const form = (over: Partial<PolicyForm>): PolicyForm => ({ ...formOf(), ...over });
function formPolicy(over: Partial<PolicyForm>) {
  const r = policyBody(form(over));
  if (!r.ok) throw new Error(problemLines(r.problems).join('; '));
  return r.body.policy;
}

describe(formOf.name, () => {
  it('starts from the defaults, or from the policy being edited', () => {
    expect(formOf()).toEqual({
      requester: true,
      roles: '',
      users: '',
      fourEyes: false,
      expiresIn: '1',
      expiresUnit: 'days',
      onExpiry: 'reject',
    });
    expect(
      formOf({
        approvers: { requester: false, roles: ['finance', 'ops'], users: ['bob'] },
        allowSelf: false,
        expiresInMs: 5_400_000,
        onExpiry: 'fail',
      }),
    ).toEqual({
      requester: false,
      roles: 'finance, ops',
      users: 'bob',
      fourEyes: true,
      expiresIn: '90',
      expiresUnit: 'min',
      onExpiry: 'fail',
    });
  });

  it('gives back the same policy when the form is sent unchanged', () => {
    const policy = {
      approvers: { requester: false, roles: ['finance'], users: ['bob'] },
      allowSelf: false,
      expiresInMs: 3_600_000,
      onExpiry: 'fail' as const,
    };
    expect(policyBody(formOf(policy))).toEqual({ ok: true, body: { policy } });
  });
});

describe(policyBody.name, () => {
  it('reads roles and users separated by commas or spaces, once each', () => {
    expect(
      policyBody(
        form({
          requester: false,
          roles: ' finance,  ops finance ',
          users: 'bob, a.b@c',
          fourEyes: true,
        }),
      ),
    ).toEqual({
      ok: true,
      body: {
        policy: {
          approvers: { requester: false, roles: ['finance', 'ops'], users: ['bob', 'a.b@c'] },
          allowSelf: false,
          expiresInMs: DAY,
          onExpiry: 'reject',
        },
      },
    });
  });

  it('converts the expiry to milliseconds', () => {
    expect(formPolicy({ expiresIn: '2', expiresUnit: 'h' }).expiresInMs).toBe(7_200_000);
    expect(formPolicy({ expiresIn: '1.5', expiresUnit: 'min' }).expiresInMs).toBe(90_000);
    expect(formPolicy({ expiresIn: '30', expiresUnit: 'days' }).expiresInMs).toBe(30 * DAY);
  });

  it('names the field of each problem instead of sending the policy', () => {
    const lines = (over: Partial<PolicyForm>) => {
      const r = policyBody(form(over));
      return r.ok ? [] : problemLines(r.problems);
    };
    expect(lines({ requester: false })).toEqual([
      'approvers: must name someone: the requester, a role or a user',
    ]);
    expect(lines({ fourEyes: true })).toEqual([
      'allowSelf: four eyes needs approvers other than the requester: untick "the requester" and name roles or users',
    ]);
    expect(lines({ roles: 'Finance' })).toEqual([
      'approvers.roles: "Finance" is not a role: 1-32 lowercase letters, digits, "_" or "-", starting with a letter',
    ]);
    expect(lines({ users: 'bob smith!' })).toEqual([
      'approvers.users: "smith!" is not a user id: up to 128 letters, digits and . _ @ : + -',
    ]);
    expect(lines({ roles: Array.from({ length: 21 }, (_, i) => `r${i}`).join(',') })).toEqual([
      'approvers.roles: at most 20 roles',
    ]);
    expect(lines({ expiresIn: '' })).toEqual(['expiresInMs: say how long a request stays open']);
    expect(lines({ expiresIn: 'soon' })).toEqual(['expiresInMs: "soon" is not a positive number']);
    expect(lines({ expiresIn: '-1' })).toEqual(['expiresInMs: "-1" is not a positive number']);
    expect(lines({ expiresIn: '500', expiresUnit: 's' })).toEqual([]);
    expect(lines({ expiresIn: '0.5', expiresUnit: 's' })).toEqual([
      'expiresInMs: must be at least 1 s',
    ]);
    expect(lines({ expiresIn: '31', expiresUnit: 'days' })).toEqual([
      'expiresInMs: must be at most 30 days',
    ]);
    // Several at once, each named.
    expect(lines({ requester: false, expiresIn: 'x' })).toHaveLength(2);
  });
});

describe(toolNameProblem.name, () => {
  it('accepts a tool name and names what is wrong with others', () => {
    expect(toolNameProblem(' notes.add ')).toBeUndefined();
    expect(toolNameProblem('')).toBe('tool: give the name of the tool (e.g. notes.add)');
    expect(toolNameProblem('notes add')).toBe(
      'tool: "notes add" may hold letters, digits and . _ - only',
    );
  });
});
