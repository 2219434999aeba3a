// The chart's pods as Kubernetes would start them, without a cluster: `helm template` renders the
// release, then each container's environment is resolved the way the kubelet does it (env in order with
// $(VAR) expansion, envFrom ConfigMaps and Secrets, configMapKeyRef / secretKeyRef with their `optional`,
// fieldRef), and its configMap / secret / emptyDir volumes are written to a directory, so that paths
// under a mount point can be read. Used by the deploy checks (infra/test/chart-config.spec.ts) and by
// the end-to-end test that runs the pods as local processes (apps/e2e/test/chart-pods.e2e-spec.ts).
// Node built-ins and `yaml` only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ensureHelm } from './get-helm.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART = join(ROOT, 'k8s', 'switchboard');

/** `helm template` of the chart: the rendered objects (hooks included, e.g. the `helm test` pod). */
export function renderChart(args = [], { release = 'sb', namespace = 'switchboard' } = {}) {
  const { helm } = ensureHelm();
  const out = execFileSync(helm, ['template', release, CHART, '--namespace', namespace, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(out)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0]?.message}`);
      return d.toJS();
    })
    .filter((o) => o !== null && typeof o === 'object');
}

/** The pod template (or pod) of every workload: {kind, name, labels, spec}. */
export function podsOf(objects) {
  return objects.flatMap((o) => {
    if (o.kind === 'Pod')
      return [
        { kind: o.kind, name: o.metadata.name, labels: o.metadata.labels ?? {}, spec: o.spec },
      ];
    const template = o.spec?.template;
    if (!template || !['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind)) return [];
    // a StatefulSet's claim templates are volumes of its pods too
    const claims = (o.spec.volumeClaimTemplates ?? []).map((t) => ({
      name: t.metadata.name,
      persistentVolumeClaim: { claimName: t.metadata.name },
    }));
    const spec = { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] };
    return [{ kind: o.kind, name: o.metadata.name, labels: template.metadata?.labels ?? {}, spec }];
  });
}

/** A ConfigMap's or Secret's data as text, as the kubelet sees it (Secret data decoded, stringData merged). */
function dataOf(obj) {
  if (obj.kind === 'Secret') {
    const data = Object.fromEntries(
      Object.entries(obj.data ?? {}).map(([k, v]) => [
        k,
        Buffer.from(String(v), 'base64').toString('utf8'),
      ]),
    );
    return { ...data, ...(obj.stringData ?? {}) };
  }
  return { ...(obj.data ?? {}) };
}

function lookup(objects, kind, name) {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  return found ? dataOf(found) : undefined;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Kubernetes' $(VAR) expansion: known names are replaced, $$ escapes, unknown ones stay as written. */
export function expand(text, env) {
  return String(text).replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (match, name) =>
    match === '$$' ? '$' : name in env ? env[name] : match,
  );
}

/**
 * A container's environment as the kubelet would give it. `objects`: what the release renders plus what
 * the cluster already holds (existing Secrets). Throws, as the kubelet refuses to start the container
 * (CreateContainerConfigError), when a non-optional reference cannot be resolved.
 */
export function resolveEnv(
  container,
  { objects, podName, namespace = 'switchboard', podIP = '127.0.0.1' },
) {
  const env = {};
  const where = `container ${container.name}`;
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const data = lookup(objects, kind, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new Error(`${where}: envFrom ${kind} ${ref.name} does not exist`);
    }
    for (const [k, v] of Object.entries(data)) {
      const name = `${source.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) env[name] = v;
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env[e.name] = expand(e.value ?? '', env);
      continue;
    }
    const { configMapKeyRef: cm, secretKeyRef: sk, fieldRef } = e.valueFrom;
    if (fieldRef) {
      const fields = {
        'metadata.name': podName,
        'metadata.namespace': namespace,
        'status.podIP': podIP,
      };
      if (!(fieldRef.fieldPath in fields))
        throw new Error(`${where}: unsupported fieldRef ${fieldRef.fieldPath}`);
      env[e.name] = fields[fieldRef.fieldPath];
      continue;
    }
    const ref = cm ?? sk;
    const kind = cm ? 'ConfigMap' : 'Secret';
    const value = lookup(objects, kind, ref.name)?.[ref.key];
    if (value !== undefined) env[e.name] = value;
    else if (!ref.optional)
      throw new Error(
        `${where}: ${e.name} needs key ${ref.key} of ${kind} ${ref.name}, which does not exist`,
      );
  }
  return env;
}

/**
 * Writes the pod's configMap, secret, emptyDir and claimed volumes under `dir` and returns the container's
 * mounts, longest mount path first: [{mountPath, localPath}]. `imageRoot` maps the image's own files
 * (e.g. {'/app': <repository root>}), below any volume mounted into them.
 */
export function materializeMounts(pod, container, { objects, dir, imageRoot = {} }) {
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts = Object.entries(imageRoot).map(([mountPath, localPath]) => ({
    mountPath,
    localPath,
  }));
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    if (!volume) throw new Error(`container ${container.name}: no volume ${m.name}`);
    const base = join(dir, m.name);
    const source = volume.configMap ?? volume.secret;
    if (source) {
      const kind = volume.configMap ? 'ConfigMap' : 'Secret';
      const name = source.name ?? source.secretName;
      const data = lookup(objects, kind, name);
      if (!data && !source.optional)
        throw new Error(`volume ${m.name}: ${kind} ${name} does not exist`);
      const items = source.items ?? Object.keys(data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        if (data?.[item.key] === undefined)
          throw new Error(`volume ${m.name}: ${kind} ${name} has no key ${item.key}`);
        mkdirSync(dirname(join(base, item.path)), { recursive: true });
        writeFileSync(join(base, item.path), data[item.key], { mode: 0o600 });
      }
    } else if (volume.emptyDir || volume.persistentVolumeClaim) {
      mkdirSync(base, { recursive: true }); // a fresh, empty directory
    } else {
      continue; // other kinds: nothing a process needs up front
    }
    mounts.push({ mountPath: m.mountPath, localPath: m.subPath ? join(base, m.subPath) : base });
  }
  return mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
}

/** A path in the container as a local path (the longest mount that holds it), else unchanged. */
export function localPath(path, mounts) {
  if (typeof path !== 'string' || !path.startsWith('/')) return path;
  for (const { mountPath, localPath: local } of mounts) {
    if (path === mountPath) return local;
    if (path.startsWith(`${mountPath.replace(/\/$/, '')}/`))
      return join(local, posix.relative(mountPath, path));
  }
  return path;
}

/** The process of a container: argv ($(VAR)-expanded command + args), cwd, env, with paths mapped. */
export function processOf(container, env, mounts) {
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((a) =>
    localPath(expand(a, env), mounts),
  );
  const mapped = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, localPath(v, mounts)]));
  return { argv, cwd: localPath(container.workingDir ?? '/', mounts), env: mapped };
}
