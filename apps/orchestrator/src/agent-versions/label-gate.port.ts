/**
 * Asked before a label moves (docs/evaluations.md): why the label may not point at the version now
 * (a protected label whose version has no passing experiment), or undefined when it may. Answered
 * by the evaluations feature; without it every move is allowed.
 */
export interface LabelGate {
  refusal(
    tenantId: string,
    agentId: string,
    label: string,
    versionId: string,
  ): Promise<string | undefined>;
}

export const LABEL_GATE = Symbol('LABEL_GATE');
