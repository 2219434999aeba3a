// The Helm chart's pods as local processes: each container runs with exactly the command and the
// environment the chart renders (resolved as the kubelet does, by tools/helm/pods.mjs), its mounted
// ConfigMaps and Secrets written to a directory, its working directory /app being this repository
// (what the image holds: dist/, node_modules/, tools/). What a cluster would add comes from
// pod-network.mjs, preloaded with NODE_OPTIONS: the release's Service names and ports lead to the local
// processes and private servers behind them, and each pod listens on a free loopback port.
import { repoRoot, tempDir } from '@switchboard/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type ChartPodsModule = typeof import('../../../../tools/helm/pods.mjs');
export type K8sObject = import('../../../../tools/helm/pods.mjs').K8sObject;
export type Pod = import('../../../../tools/helm/pods.mjs').Pod;
export type Container = import('../../../../tools/helm/pods.mjs').Container;

/** tools/helm/pods.mjs, loaded by path: it lives outside this project's sources. */
export const chartPods = (await import(
  join(repoRoot, 'tools', 'helm', 'pods.mjs')
)) as ChartPodsModule;

/** Where each Service's ports lead ({name: {port: localPort}}), and what a pod listens on. */
export interface PodNetwork {
  services: Record<string, Record<string, number>>;
  listen: Record<string, number>;
}

export interface ContainerProcess {
  name: string;
  pid: number;
  argv: string[];
  env: Record<string, string>;
  child: ChildProcess;
  exited: Promise<number | string>;
  logs(): string;
  /** SIGTERM by PID, SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const SHIM = join(repoRoot, 'apps', 'e2e', 'test', 'support', 'pod-network.mjs');

function importFlag(net: PodNetwork): string {
  const url = pathToFileURL(SHIM);
  url.searchParams.set('net', Buffer.from(JSON.stringify(net)).toString('base64url'));
  return `--import=${url.href}`;
}

/**
 * Starts one container of a rendered pod as a process. `objects`: the rendered release plus what the
 * cluster holds. The environment is the container's own and nothing else, but PATH (the image's) and
 * the network preload.
 */
export function startContainer(
  pod: Pod,
  container: Container,
  opts: { objects: K8sObject[]; podName: string; net: PodNetwork; logDir: string },
): ContainerProcess {
  const env = chartPods.resolveEnv(container, { objects: opts.objects, podName: opts.podName });
  const mounts = chartPods.materializeMounts(pod, container, {
    objects: opts.objects,
    dir: tempDir(`pod-${opts.podName}-${container.name}`),
    imageRoot: { '/app': repoRoot },
  });
  const proc = chartPods.processOf(container, env, mounts);
  const [command, ...args] = proc.argv;
  if (!command) throw new Error(`${opts.podName}/${container.name} has no command`);
  const childEnv = {
    PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    ...proc.env,
    NODE_OPTIONS: [proc.env['NODE_OPTIONS'], importFlag(opts.net)].filter(Boolean).join(' '),
  };
  const name = `${opts.podName}-${container.name}`;
  const logFile = join(opts.logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: proc.cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  if (child.pid === undefined) throw new Error(`could not start ${name}: ${proc.argv.join(' ')}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const logs = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async (graceMs = 10_000) => {
    if (done) return;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, pid, argv: proc.argv, env: proc.env, child, exited, logs, stop };
}

/** Runs a container (an init container, a test pod) to its end; fails with its log unless it exits 0. */
export async function runToCompletion(
  process: ContainerProcess,
  timeoutMs: number,
): Promise<string> {
  const timer = setTimeout(() => void process.stop(2_000), timeoutMs);
  const code = await process.exited;
  clearTimeout(timer);
  if (code !== 0)
    throw new Error(
      `${process.name} exited with ${code}\n--- log ---\n${process.logs().slice(-4_000)}`,
    );
  return process.logs();
}
