import type { Tools } from '@switchboard/contracts';
import type { KnownAgent } from './planner.js';

/** How to get a planner that understands any request: said with every refusal of the built-in one. */
export const ENABLE_LLM =
  'To plan any request with a language model, set OPENAI_BASE_URL (any OpenAI-compatible server, e.g. ' +
  'a local Ollama at http://127.0.0.1:11434/v1) or OPENAI_API_KEY, and LLM_MODEL, then restart; ' +
  '`npm run up` also finds a local Ollama or LM Studio by itself. See docs/planner.md.';

/**
 * What the built-in planner understands, for this task: only the shapes whose tool the task was
 * offered (its manifest) and the agents it may ask, so that a tool this stack does not run (the
 * weather without its API key) or the caller may not use is never suggested.
 */
export function builtinHelp(tools: Tools.ManifestTool[], agents: KnownAgent[]): string {
  const offered = new Set(tools.map((t) => t.name));
  const shapes: string[] = [];
  if (offered.has('calculator')) shapes.push('arithmetic ("what is 17 * 23")');
  const notes = [
    ...(offered.has('notes.add') ? ['"save the result as a note"', '"add a note saying …"'] : []),
    ...(offered.has('notes.get') ? ['"get note <id>"'] : []),
    ...(offered.has('notes.list') ? ['"list my notes"'] : []),
  ];
  if (notes.length) shapes.push(`notes (${notes.join(', ')})`);
  if (offered.has('memory.remember'))
    shapes.push(
      'long-term memory ("remember that my favourite number is 7", then "my favourite number" in any thread)',
    );
  if (offered.has('time.now')) shapes.push('the time ("what time is it in Europe/Paris")');
  if (offered.has('weather.current')) shapes.push('the weather ("weather in Paris")');
  const [first, second] = agents;
  if (first) {
    const examples = [`"ask the ${first.name} about …"`];
    if (second) examples.push(`"have the ${second.name} …"`);
    shapes.push(`delegation (${examples.join(', ')})`);
  }
  const example = offered.has('notes.get')
    ? 'notes.get with {"id": "…"}'
    : `${tools[0]?.name} with {…}`;
  if (tools.length) shapes.push(`explicit tool calls ("call ${example}")`);
  if (!shapes.length)
    return `It can do nothing here: this task was offered no tools and no agents.`;
  return `It understands: ${shapes.join(', ')} and chains of these joined by "then".`;
}
