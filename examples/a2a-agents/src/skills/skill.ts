/** What a sample agent is asked: the message text and, optionally, the previous step's result. */
export interface SkillInput {
  text: string;
  context: string | undefined;
}

export interface SkillOutput {
  /** Status texts shown while working, one per step. */
  steps: string[];
  artifactName: string;
  /** The answer (markdown). */
  text: string;
  /** The final status message. */
  summary: string;
}

/** A deterministic "skill": no model, the same input always gives the same answer. */
export interface Skill {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: string[];
  readonly examples: string[];
  run(input: SkillInput): SkillOutput;
}
