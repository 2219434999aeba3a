import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Tags (project.json) and what each may depend on. These constrain for real: `tools/prove-boundaries.sh`
// and libs/contracts' lint prove that a contracts file importing Nest fails.
const depConstraints = [
  {
    sourceTag: 'type:contracts',
    onlyDependOnLibsWithTags: ['type:contracts'],
    bannedExternalImports: [
      '@nestjs/*',
      '@prisma/*',
      '@nats-io/*',
      'nats',
      'ioredis',
      'rxjs',
      'fastify',
      'reflect-metadata',
      'pg',
    ],
  },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:infra'] },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:testing', 'type:client'],
  },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:testing', 'type:client'],
  },
  // The web console runs in browsers: it may use the contracts' types and the client, never server code.
  { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['type:contracts', 'type:client'] },
  // The published client (libs/client) runs in browsers and installs alone: the contracts' types only
  // (the rule below bans their values), no dependency.
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts'] },
  {
    sourceTag: 'type:tooling',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:infra', 'type:testing', 'type:client'],
  },
];

// The orchestrator's core, and the feature folders it may not import (the kernel it may: config,
// prisma, generated, tenancy, nest, the libs).
const ORCHESTRATOR_CORE = ['apps/orchestrator/src/{tasks,planning,dispatch}/**/*.ts'];
const ORCHESTRATOR_FEATURES = [
  'approvals',
  'replay',
  'threads',
  'guardrails',
  'budget',
  'quotas',
  'agents',
  'agent-versions',
  'memory',
  'webhooks',
  'a2a-push',
  'schedules',
  'retention',
];
const BARREL_PATTERN = {
  group: ['@switchboard/*/src/*', '@switchboard/*/src'],
  message: 'Import a lib through its barrel.',
};
const APP_IMPORT_PATTERNS = [
  BARREL_PATTERN,
  {
    group: ['@nats-io/*'],
    message:
      'Use @switchboard/messaging (NatsBus.subscribe, subscribeRaw, TrafficTap): its callbacks never throw into the NATS client.',
  },
];
// The other way round: a feature (or the app's composition root, src/*.ts) uses the core only through
// its front doors, tasks/index.ts and planning/index.ts (docs/architecture.md, "The task core's front
// door"); the rest of tasks/, planning/ and dispatch/ is the core's own.
const ORCHESTRATOR_FEATURE_FILES = [
  ...ORCHESTRATOR_FEATURES.map((f) => `apps/orchestrator/src/${f}/**/*.ts`),
  'apps/orchestrator/src/*.ts',
];
const FRONT_DOOR_PATTERN = {
  regex: `^(\\.\\./|\\./)+(dispatch/|(tasks|planning)/(?!index\\.js$))`,
  message:
    "A feature uses the orchestrator's core only through its front door: import from tasks/index.js (or planning/index.js).",
};
// Feature specs that test a feature plugged into the core's real insides (a dispatch or planning round,
// the event sequence, the stores a wake goes through): what they prove is the two together. Every
// other feature spec, like the feature's code, sees the core only through its front door.
const FEATURE_SPECS_WITH_THE_CORE = [
  'apps/orchestrator/src/approvals/approval.gate.dispatch-steps.spec.ts',
  'apps/orchestrator/src/approvals/task-resumer.spec.ts',
  'apps/orchestrator/src/budget/tenant-budget.gate.spec.ts',
  'apps/orchestrator/src/guardrails/guardrails.spec.ts',
];
const CORE_FEATURE_PATTERN = {
  regex: `^(\\.\\./)+(${ORCHESTRATOR_FEATURES.join('|')})/`,
  message:
    "The orchestrator's core imports no feature: plug the feature into a port (apps/orchestrator/src/tasks/ports).",
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/coverage',
      '**/node_modules',
      '.nx',
      '.scratch',
      '.run',
      '**/src/generated/**',
      '**/*.js',
      '**/*.cjs',
    ],
  },
  {
    // Scripts (tools, infra, the example MCP servers): plain Node ESM, linted without type information.
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [BARREL_PATTERN],
        },
      ],
    },
  },
  // Tests may assert on values they just checked.
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // The published client installs from its tarball alone and runs in browsers: it takes the contracts'
  // and zod's types (written out in its declarations at build), never their values, and no Node module.
  {
    files: ['libs/client/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@switchboard/contracts',
              allowTypeImports: true,
              message: "The client takes the contracts' types only: it installs without them.",
            },
            { name: 'zod', allowTypeImports: true, message: 'The client has no dependency.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The client runs in browsers: web APIs only.' },
            BARREL_PATTERN,
          ],
        },
      ],
    },
  },
  // Contracts and messaging are the typed backbone: no `any` at all.
  {
    files: ['libs/contracts/**/*.ts', 'libs/messaging/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  // Services read configuration only through their validated config; subjects only from contracts.
  {
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: [
      '**/main.ts',
      'libs/config/**',
      'libs/testing/**',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration from the service config (libs/config).',
        },
      ],
    },
  },
  {
    files: ['apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.name=/^(MessagePattern|EventPattern)$/] > Literal',
          message: 'Take subjects from @switchboard/contracts.',
        },
        {
          selector: 'Literal[value=/^(sb|\\$JS)\\./]',
          message: 'Subjects live in @switchboard/contracts; do not type them in services.',
        },
        {
          selector: 'TemplateElement[value.raw=/^(sb|\\$JS)\\./]',
          message: 'Subjects live in @switchboard/contracts; do not build them in services.',
        },
      ],
    },
  },
  // Benchmarks and operator/doc tools measure and describe the services from the inside (white box):
  // they may import a service's own files, which apps may not do to each other.
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  // The testing lib is for tests only.
  {
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@switchboard/testing', message: 'The testing lib is for tests only.' }],
          patterns: [BARREL_PATTERN],
        },
      ],
    },
  },
  // A function fits on a screen: at most 80 lines. The longer ones are the listed exceptions, each
  // marked where it stands (`eslint-disable-next-line max-lines-per-function -- why`); an exception
  // that no longer applies fails the lint too (an unused directive is reported; no warning passes).
  {
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx', '**/*.int-spec.ts'],
    rules: {
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
    },
  },
  // Services and the CLI reach NATS only through the messaging library, whose subscriptions never let
  // a callback throw into the client (an exception there closes the connection's reader).
  {
    files: ['apps/*/src/**/*.ts', 'apps/*/src/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@switchboard/testing', message: 'The testing lib is for tests only.' }],
          patterns: APP_IMPORT_PATTERNS,
        },
      ],
    },
  },
  // The orchestrator's core (the task runner, the planner adapters, the step runners) imports no
  // feature: features plug into its ports (apps/orchestrator/src/tasks/ports, docs/architecture.md),
  // never the reverse. Listed after the rules above because a file's last matching
  // `no-restricted-imports` wins: the core keeps theirs and adds its own.
  {
    files: ORCHESTRATOR_CORE,
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@switchboard/testing', message: 'The testing lib is for tests only.' }],
          patterns: [...APP_IMPORT_PATTERNS, CORE_FEATURE_PATTERN],
        },
      ],
    },
  },
  // Features import the core only through its front door (the mirror of the rule above), and so do
  // their specs, but for the few that test a feature with the core's real insides (listed above).
  {
    files: ORCHESTRATOR_FEATURE_FILES,
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@switchboard/testing', message: 'The testing lib is for tests only.' }],
          patterns: [...APP_IMPORT_PATTERNS, FRONT_DOOR_PATTERN],
        },
      ],
    },
  },
  {
    files: ORCHESTRATOR_FEATURE_FILES.map((glob) => glob.replace(/\.ts$/, '.spec.ts')),
    ignores: FEATURE_SPECS_WITH_THE_CORE,
    rules: {
      'no-restricted-imports': ['error', { patterns: [BARREL_PATTERN, FRONT_DOOR_PATTERN] }],
    },
  },
  {
    files: ORCHESTRATOR_CORE.map((glob) => glob.replace(/\.ts$/, '.spec.ts')),
    rules: {
      'no-restricted-imports': ['error', { patterns: [BARREL_PATTERN, CORE_FEATURE_PATTERN] }],
    },
  },
  prettier,
];
