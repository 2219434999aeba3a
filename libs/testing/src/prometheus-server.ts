import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, spawnManaged, tempDir, waitForPort, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo.js';
import { waitFor } from './wait-for.js';

/** Where `infra/setup.sh` puts Prometheus and promtool (Debian bookworm's package, not installed). */
export const PROMETHEUS_DIR = join(repoRoot, 'tools/bin/prometheus');

/** The project's `prometheus` or `promtool` binary. */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  const path = join(PROMETHEUS_DIR, name);
  if (!existsSync(path))
    throw new Error(`${name} is not at ${path}: run \`bash infra/setup.sh --no-start\``);
  return path;
}

/** One instant query's answer, as Prometheus' HTTP API gives it. */
export interface PromQueryResult {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string> }[] };
}

export interface PrivatePrometheus {
  url: string;
  process: ManagedProcess;
  /** Runs an instant query through the HTTP API. */
  query(expr: string): Promise<PromQueryResult>;
  /** Waits until every target has been scraped successfully once. */
  targetsUp(timeoutMs?: number): Promise<void>;
  /** Waits until every rule group has been evaluated once; resolves with the rules' health. */
  rulesEvaluated(timeoutMs?: number): Promise<{ name: string; health: string; error?: string }[]>;
  stop(): Promise<void>;
}

interface RuleGroups {
  groups: {
    lastEvaluation: string;
    rules: { name: string; health: string; lastError?: string }[];
  }[];
}

/**
 * A private Prometheus on a free loopback port that scrapes `targets` (job name → host:port list)
 * every second and evaluates `ruleFiles` every second, keeping its data in a temporary directory.
 */
export async function startPrometheus(opts: {
  targets: Record<string, string[]>;
  ruleFiles?: string[];
}): Promise<PrivatePrometheus> {
  const port = await freePort();
  const dir = tempDir('prometheus');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: opts.ruleFiles ?? [],
      scrape_configs: Object.entries(opts.targets).map(([job, targets]) => ({
        job_name: job,
        static_configs: [{ targets }],
      })),
    }),
  );
  const proc = spawnManaged(
    prometheusBinary('prometheus'),
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { name: `prometheus-${port}`, logDir: dir, cwd: dir },
  );
  await waitForPort(port);
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${url}/api/v1/${path}`)).json()) as T;
  return {
    url,
    process: proc,
    query: (expr) => api<PromQueryResult>(`query?query=${encodeURIComponent(expr)}`),
    targetsUp: (timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const { data } = await api<{ data: { activeTargets: { health: string }[] } }>('targets');
          return (
            data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === 'up')
          );
        },
        { timeoutMs, intervalMs: 250, what: 'Prometheus to scrape every target' },
      ).then(() => undefined),
    rulesEvaluated: (timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const { data } = await api<{ data: RuleGroups }>('rules');
          const evaluated =
            data.groups.length > 0 &&
            data.groups.every((g) => !g.lastEvaluation.startsWith('0001-'));
          return evaluated
            ? data.groups.flatMap((g) =>
                g.rules.map((r) => ({
                  name: r.name,
                  health: r.health,
                  ...(r.lastError ? { error: r.lastError } : {}),
                })),
              )
            : undefined;
        },
        { timeoutMs, intervalMs: 250, what: 'Prometheus to evaluate every rule group' },
      ),
    stop: () => proc.stop(5_000),
  };
}
