import { Module } from '@nestjs/common';
import { AgentVersionsModule } from '../agent-versions/agent-versions.module.js';
import { BudgetModule } from '../budget/budget.module.js';
import { ReplayModule } from '../replay/replay.module.js';
import { AddDatasetItemsUseCase } from './datasets/add-dataset-items/add-dataset-items.use-case.js';
import { CreateDatasetUseCase } from './datasets/create-dataset/create-dataset.use-case.js';
import { DatasetRepository } from './datasets/dataset.repository.js';
import { DatasetRuleObserver } from './datasets/dataset-rules/dataset-rule.observer.js';
import { RuledDatasetCopies } from './datasets/dataset-rules/ruled-dataset.copies.js';
import { RecordedTasks } from './datasets/recorded-tasks.js';
import { EndedFactsReader } from './datasets/dataset-rules/ended-facts.reader.js';
import { EvaluationsHandler } from './evaluations.handler.js';
import { EvaluationsRelay } from './evaluations.relay.js';
import { CreateScoringRuleUseCase } from './online/create-scoring-rule/create-scoring-rule.use-case.js';
import { OnlineScoringHandler } from './online/online-scoring.handler.js';
import { OnlineScoringObserver } from './online/online-scoring.observer.js';
import { ScoringRuleCopies } from './online/scoring-rule.copies.js';
import { ScoringRuleRepository } from './online/scoring-rule.repository.js';
import { ExperimentRepository } from './experiments/experiment.repository.js';
import { ExperimentScorer } from './experiments/experiment.scorer.js';
import { ListExperimentsUseCase } from './experiments/list-experiments/list-experiments.use-case.js';
import { ReadExperimentUseCase } from './experiments/read-experiment/read-experiment.use-case.js';
import { ScoreExperimentsUseCase } from './experiments/score-experiments/score-experiments.use-case.js';
import { LiveToolsCheck } from './experiments/start-experiment/live-tools.check.js';
import { StartExperimentUseCase } from './experiments/start-experiment/start-experiment.use-case.js';
import { AddHumanScoreUseCase } from './scores/add-human-score/add-human-score.use-case.js';
import { ScoreMetrics } from './scores/score.metrics.js';
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
  controllers: [EvaluationsHandler, EvaluationsRelay, OnlineScoringHandler],
  providers: [
    AddDatasetItemsUseCase,
    AddHumanScoreUseCase,
    CreateDatasetUseCase,
    CreateScoringRuleUseCase,
    DatasetRepository,
    DatasetRuleObserver,
    EndedFactsReader,
    ExperimentRepository,
    ExperimentScorer,
    LabelProtectionGate,
    ListExperimentsUseCase,
    LiveToolsCheck,
    LlmJudge,
    OnlineScoringObserver,
    ProtectLabelUseCase,
    ReadExperimentUseCase,
    RecordedTasks,
    RuledDatasetCopies,
    ScoreExperimentsUseCase,
    ScoreMetrics,
    ScoreRepository,
    ScoringRuleCopies,
    ScoringRuleRepository,
    StartExperimentUseCase,
  ],
  exports: [DatasetRuleObserver, LabelProtectionGate, OnlineScoringObserver],
})
export class EvaluationsModule {}
