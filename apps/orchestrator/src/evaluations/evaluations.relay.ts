import { Evaluations } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { AddDatasetItemsUseCase } from './datasets/add-dataset-items/add-dataset-items.use-case.js';
import { CreateDatasetUseCase } from './datasets/create-dataset/create-dataset.use-case.js';
import { ProtectLabelUseCase } from './label-protection/protect-label/protect-label.use-case.js';
import { CreateScoringRuleUseCase } from './online/create-scoring-rule/create-scoring-rule.use-case.js';
import { AddHumanScoreUseCase } from './scores/add-human-score/add-human-score.use-case.js';

/**
 * The evaluations' writes that are their use case's whole work, for the acting user
 * (docs/evaluations.md).
 */
export class EvaluationsRelay extends CommandRelay(
  relay(Evaluations.DatasetCreate, CreateDatasetUseCase),
  relay(Evaluations.DatasetItemsAdd, AddDatasetItemsUseCase),
  relay(Evaluations.ScoreAdd, AddHumanScoreUseCase),
  relay(Evaluations.LabelProtect, ProtectLabelUseCase),
  relay(Evaluations.ScoringRuleCreate, CreateScoringRuleUseCase),
) {}
