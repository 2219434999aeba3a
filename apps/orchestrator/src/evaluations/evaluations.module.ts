import { Module } from '@nestjs/common';
import { AgentVersionsModule } from '../agent-versions/agent-versions.module.js';
import { BudgetModule } from '../budget/budget.module.js';
import { ReplayModule } from '../replay/replay.module.js';
import { AddDatasetItemsUseCase } from './datasets/add-dataset-items/add-dataset-items.use-case.js';
import { CreateDatasetUseCase } from './datasets/create-dataset/create-dataset.use-case.js';
import { DatasetRepository } from './datasets/dataset.repository.js';
import { DatasetRuleObserver } from './datasets/dataset-rules/dataset-rule.observer.js';
import { RecordedTasks } from './datasets/recorded-tasks.js';
import { EvaluationsHandler } from './evaluations.handler.js';
import { ExperimentRepository } from './experiments/experiment.repository.js';
import { ReadExperimentUseCase } from './experiments/read-experiment/read-experiment.use-case.js';
import { StartExperimentUseCase } from './experiments/start-experiment/start-experiment.use-case.js';
import { AddHumanScoreUseCase } from './scores/add-human-score/add-human-score.use-case.js';
import { ScoreRepository } from './scores/score.repository.js';
import { LabelProtectionGate } from './label-protection/label-protection.gate.js';
import { ProtectLabelUseCase } from './label-protection/protect-label/protect-label.use-case.js';
import { LlmJudge } from './scorers/llm-judge.js';

/**
 * Evaluations (docs/evaluations.md): datasets of recorded tasks, scorers and scores, and experiments
 * that run a dataset against an agent version as replay batches answered from the record.
 */
@Module({
  imports: [AgentVersionsModule, BudgetModule, ReplayModule],
  controllers: [EvaluationsHandler],
  providers: [
    AddDatasetItemsUseCase,
    AddHumanScoreUseCase,
    CreateDatasetUseCase,
    DatasetRepository,
    DatasetRuleObserver,
    ExperimentRepository,
    LabelProtectionGate,
    LlmJudge,
    ProtectLabelUseCase,
    ReadExperimentUseCase,
    RecordedTasks,
    ScoreRepository,
    StartExperimentUseCase,
  ],
  exports: [DatasetRuleObserver, LabelProtectionGate],
})
export class EvaluationsModule {}
