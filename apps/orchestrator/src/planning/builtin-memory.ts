/**
 * The built-in planner's use of long-term memory (docs/memory.md): deterministic, no model. What the
 * task core recalled for the task (a planning context provider) is read as facts of the shape
 * "my <thing> is <value>", and a clause that says "my <thing>" is planned with the value instead —
 * "what is my favourite number times 6" with "my favourite number is 7" recalled is "7 * 6".
 */

/** A recalled item as the planner sees it: its text, best match first. */
export interface RecalledFact {
  content: string;
}

const FACT = /^\s*my\s+(.+?)\s+(?:is|are|was|=)\s+(.+?)\s*[.!]?\s*$/i;

/** The facts of the recalled items, the first (best, then newest) kept for a thing said twice. */
export function factsOf(recalled: readonly RecalledFact[]): Map<string, string> {
  const facts = new Map<string, string>();
  for (const { content } of recalled) {
    const fact = FACT.exec(content);
    if (!fact) continue;
    const thing = normalize(fact[1] as string);
    if (!facts.has(thing)) facts.set(thing, (fact[2] as string).trim());
  }
  return facts;
}

/** The clause with every "my <thing>" that a fact names replaced by its value (longest thing first). */
export function withRecalledFacts(clause: string, facts: ReadonlyMap<string, string>): string {
  if (!facts.size || !/\bmy\b/i.test(clause)) return clause;
  const things = [...facts.keys()].sort((a, b) => b.length - a.length);
  let out = clause;
  for (const thing of things) {
    const words = thing.split(' ').map(escape).join('\\s+');
    out = out.replace(new RegExp(`\\bmy\\s+${words}\\b`, 'gi'), facts.get(thing) as string);
  }
  return out;
}

const normalize = (thing: string): string => thing.trim().toLowerCase().replace(/\s+/g, ' ');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
