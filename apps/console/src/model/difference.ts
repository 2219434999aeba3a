/** Where two runs can be compared (a diff entry's or a divergence's `at`). */
export type Position = 'input' | 'recall' | 'round' | 'step' | 'outcome';

/** JSON with object keys sorted, so two values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
              a < b ? -1 : a > b ? 1 : 0,
            ),
          )
        : v,
    ) ?? 'undefined'
  );
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/**
 * What differs between two runs at one position, in words ("the result differs", "the arguments and
 * the result differ", "the replay did not get here"), from the shapes the API gives each position (a
 * diff entry's `a`/`b`, a divergence's `expected`/`got`). Undefined when nothing does.
 */
export function differenceWords(
  at: Position,
  a: unknown,
  b: unknown,
  names: { a: string; b: string } = { a: 'A', b: 'B' },
): string | undefined {
  if (a === null || a === undefined) return b == null ? undefined : `${names.a} did not get here`;
  if (b === null || b === undefined) return `${names.b} did not get here`;
  if (at === 'input') return inputWords(obj(a), obj(b), names);
  const parts = partsOf(at, obj(a), obj(b)).filter(([, x, y]) => !same(x, y));
  if (parts.length === 0) return same(a, b) ? undefined : 'the details differ';
  const named = parts.map(([name]) => name);
  const list =
    named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
  return `${list} differ${named.length === 1 && !PLURAL.has(named[0] ?? '') ? 's' : ''}`;
}

const PLURAL = new Set([
  'the arguments',
  'the actions planned',
  "the actions' arguments",
  'the refused calls',
]);

/** The parts of a position worth naming, each with both sides' values. */
function partsOf(at: Position, a: Obj, b: Obj): [string, unknown, unknown][] {
  switch (at) {
    case 'input':
      return [['the input check', a, b]];
    case 'recall':
      return [['what memory recalled', a['recalled'], b['recalled']]];
    case 'step': {
      const [x, y] = [obj(a['action']), obj(b['action'])];
      const [r, s] = [obj(a['result']), obj(b['result'])];
      return [
        ['the tool or agent', x['target'], y['target']],
        ['the arguments', x['input'], y['input']],
        ['the status', [r['status'], r['code']], [s['status'], s['code']]],
        ['the result', r['output'], s['output']],
      ];
    }
    case 'round': {
      if (a['kind'] !== b['kind']) return [['the decision', a['kind'], b['kind']]];
      const [x, y] = [targets(a['actions']), targets(b['actions'])];
      return [
        same(x, y)
          ? ["the actions' arguments", a['actions'], b['actions']]
          : ['the actions planned', x, y],
        ['the refused calls', a['rejected'], b['rejected']],
        ['the answer', a['answer'], b['answer']],
        ['the error code', a['code'], b['code']],
      ];
    }
    case 'outcome':
      return [
        ['the status', a['status'], b['status']],
        ['the answer', a['answer'], b['answer']],
        ['the error code', a['code'], b['code']],
      ];
  }
}

/** The input guardrail's check of the task text: which run it blocked. */
function inputWords(a: Obj, b: Obj, names: { a: string; b: string }): string | undefined {
  if (Boolean(a['blocked']) === Boolean(b['blocked']))
    return same(a, b) ? undefined : 'the details differ';
  const [blocked, passed] = a['blocked'] ? [names.a, names.b] : [names.b, names.a];
  return `the input guardrail blocked the task text in ${blocked}, not in ${passed}`;
}

const targets = (actions: unknown): unknown =>
  Array.isArray(actions) ? actions.map((x) => obj(x)['target']) : actions;
