// Types of pods.mjs (plain JS, shared by the deploy checks and the end-to-end tests).
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [key: string]: unknown;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string; subPath?: string; readOnly?: boolean }>;
  [key: string]: unknown;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<{ name: string; [key: string]: unknown }>;
  [key: string]: unknown;
}
export interface Pod {
  kind: string;
  name: string;
  labels: Record<string, string>;
  spec: PodSpec;
}
export interface Mount {
  mountPath: string;
  localPath: string;
}
export interface ContainerProcess {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

export const ROOT: string;
export const CHART: string;
export function renderChart(
  args?: string[],
  opts?: { release?: string; namespace?: string },
): K8sObject[];
export function podsOf(objects: K8sObject[]): Pod[];
export function expand(text: string, env: Record<string, string>): string;
export function resolveEnv(
  container: Container,
  opts: { objects: K8sObject[]; podName: string; namespace?: string; podIP?: string },
): Record<string, string>;
export function materializeMounts(
  pod: Pod,
  container: Container,
  opts: { objects: K8sObject[]; dir: string; imageRoot?: Record<string, string> },
): Mount[];
export function localPath(path: string, mounts: Mount[]): string;
export function processOf(
  container: Container,
  env: Record<string, string>,
  mounts: Mount[],
): ContainerProcess;
