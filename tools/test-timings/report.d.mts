export interface StageTime {
  name: string;
  seconds: number;
  status: string;
}
export interface FileTime {
  kind: 'jest' | 'chaos';
  project?: string;
  file: string;
  seconds: number;
  tests?: number;
  failed?: number;
}
export const BUDGET_MINUTES: number;
export const SLOWEST: number;
export function parseStages(text: string): StageTime[];
export function parseFiles(text: string): FileTime[];
export function summarize(input: {
  stages: StageTime[];
  files: FileTime[];
  elapsed: number;
  budgetMinutes?: number;
  slowest?: number;
}): string[];
