/** Longest stretch of a call's arguments shown to a person (the API has them whole). */
const ARGS_SHOWN = 500;

/**
 * A call waiting for a decision as people read it on every surface (A2A status messages, AG-UI
 * interrupts): `notes.add with {"content":"391"}`, the arguments cut to 500 characters.
 */
export function callText(target: string, input: unknown): string {
  const args = JSON.stringify(input ?? {});
  return `${target} with ${args.length > ARGS_SHOWN ? `${args.slice(0, ARGS_SHOWN)}…` : args}`;
}
