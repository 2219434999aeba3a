// The shape of k8s/switchboard/values.yaml as a JSON Schema (draft-07, what Helm validates values
// against), with the services' settings filled in from their config schemas by chart-values.ts.
// Kubernetes objects passed through to manifests (resources, affinity, security contexts…) are only
// checked to be objects or lists: the Kubernetes API validates them.
export type JsonSchema = Record<string, unknown>;

const str = (description?: string): JsonSchema => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const bool = (description?: string): JsonSchema => ({
  type: 'boolean',
  ...(description ? { description } : {}),
});
const int = (minimum: number, description?: string): JsonSchema => ({
  type: 'integer',
  minimum,
  ...(description ? { description } : {}),
});
const obj: JsonSchema = { type: 'object' };
const list: JsonSchema = { type: 'array' };
const strict = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
});

const DIGEST = { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' };
const depImage = strict({ repository: str(), tag: str(), digest: DIGEST }, ['repository', 'tag']);
const persistence = strict({ enabled: bool(), size: str(), storageClass: str() });
const autoscaling = strict({
  enabled: bool(),
  minReplicas: int(1),
  maxReplicas: int(1),
  targetCPUUtilizationPercentage: int(1),
});
const probe = strict({
  path: str(),
  initialDelaySeconds: int(0),
  periodSeconds: int(1),
  timeoutSeconds: int(1),
  failureThreshold: int(1),
});

function service(config: JsonSchema, extra: Record<string, JsonSchema> = {}): JsonSchema {
  return strict({
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    replicaCount: int(0),
    config,
    resources: obj,
    autoscaling,
    pdb: strict({ enabled: bool(), maxUnavailable: { type: ['integer', 'string'] } }),
    extraEnv: list,
    extraEnvFrom: list,
    extraVolumes: list,
    extraVolumeMounts: list,
    podAnnotations: obj,
    ...extra,
  });
}

export function chartStructure(parts: {
  commonConfig: JsonSchema;
  serviceConfig: Record<string, JsonSchema>;
  secretValues: Record<string, JsonSchema>;
  /** The tenants file's `tenants` (libs/contracts Tenancy.TenantsFile). */
  tenantSettings: JsonSchema;
}): JsonSchema {
  const svc = (key: string) => parts.serviceConfig[key] ?? obj;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Switchboard Helm chart values',
    description:
      "Generated from the services' config schemas by `npm run docs:generate` (tools/docs/chart-values.ts); do not edit by hand.",
    ...strict({
      nameOverride: str(),
      fullnameOverride: str(),
      image: strict({
        registry: str(),
        tag: str('default: the chart appVersion'),
        digests: { type: 'object', additionalProperties: DIGEST },
        pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
      }),
      imagePullSecrets: list,
      serviceAccount: strict({ create: bool(), name: str(), annotations: obj }),
      podAnnotations: obj,
      podLabels: obj,
      nodeSelector: obj,
      tolerations: list,
      affinity: obj,
      topologySpread: strict({
        enabled: bool(),
        maxSkew: int(1),
        whenUnsatisfiable: { enum: ['ScheduleAnyway', 'DoNotSchedule'] },
      }),
      topologySpreadConstraints: list,
      preStopSleepSeconds: int(0),
      podSecurityContext: obj,
      securityContext: obj,
      extraVolumes: list,
      extraVolumeMounts: list,
      extraObjects: list,
      config: parts.commonConfig,
      secrets: strict({
        existingSecret: str('a Secret you manage, holding the keys below'),
        autoGenerate: bool(
          'generate the secrets the release needs and was not given, kept across upgrades',
        ),
        ...parts.secretValues,
      }),
      nats: strict({
        bundled: bool(),
        servers: str('external NATS servers, comma-separated'),
        identities: bool(
          "each service connects as its own NATS user (its name; password from the Secret's NATS_PASSWORD_<SERVICE>)",
        ),
        tenantOperators: {
          type: 'array',
          items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
          uniqueItems: true,
          description:
            "tenants whose operators get a NATS user operator-<tenant> reading only that tenant's task events and audit records (docs/tenancy.md)",
        },
        user: str('one NATS user for every service, when identities is false'),
        image: depImage,
        maxPayload: { type: ['string', 'integer'] },
        persistence,
        resources: obj,
      }),
      postgresql: strict({
        bundled: bool(),
        host: str(),
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        user: { type: 'string', minLength: 1 },
        password: str(),
        params: str(),
        databases: strict(
          {
            orchestrator: { type: 'string', minLength: 1 },
            mcpTools: { type: 'string', minLength: 1 },
            audit: { type: 'string', minLength: 1 },
          },
          ['orchestrator', 'mcpTools', 'audit'],
        ),
        image: depImage,
        persistence,
        resources: obj,
      }),
      redis: strict({ bundled: bool(), url: str(), image: depImage, persistence, resources: obj }),
      xmpp: strict({
        bundled: bool(),
        host: str(),
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        domain: { type: 'string', minLength: 1 },
        tls: { enum: ['auto', 'starttls', 'direct', 'off'] },
        validateCert: bool(),
        timeout: { type: 'number', exclusiveMinimum: 0, maximum: 600 },
        jid: { type: 'string', pattern: '^[^@/\\s]+@[^@/\\s]+(/.+)?$' },
        logLevel: {
          enum: ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'fatal'],
        },
        caSecret: strict({ name: str(), key: str() }),
        prosody: strict({ image: str(), tlsSecret: str(), resources: obj }),
      }),
      tenants: strict({
        settings: parts.tenantSettings,
        credentialSecrets: {
          type: 'object',
          propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
          additionalProperties: { type: 'string', minLength: 1 },
          description:
            "per tenant, a Secret whose keys are credential names, mounted into mcp-tools for that tenant's tool calls only (docs/tenancy.md)",
        },
      }),
      shape: {
        enum: ['services', 'cell'],
        description:
          'services: a Deployment per service; cell: the services in cell.services in one process per pod',
      },
      cell: strict({
        services: {
          type: 'array',
          uniqueItems: true,
          items: { enum: ['gateway', 'orchestrator', 'mcpTools', 'a2a', 'audit', 'xmppBridge'] },
          description:
            'keys of services that run in the cell (shape: cell); the others keep their own Deployment',
        },
        cells: {
          anyOf: [{ type: 'integer', minimum: 1, maximum: 64 }, { enum: ['auto'] }],
          description:
            "cells per pod (SB_CELLS): 1 (one process), a number up to 64, or auto (one per CPU of the pod's limit)",
        },
        replicaCount: int(0),
        resources: obj,
        autoscaling,
        pdb: strict({ enabled: bool(), maxUnavailable: { type: ['integer', 'string'] } }),
        podAnnotations: obj,
        extraEnv: list,
        extraEnvFrom: list,
      }),
      services: strict(
        {
          gateway: service(svc('gateway')),
          orchestrator: service(svc('orchestrator')),
          mcpTools: service(svc('mcpTools'), {
            toolsFile: {
              type: ['string', 'object'],
              description: 'a tools file (docs/tools.md): YAML/JSON text, or a map',
            },
          }),
          a2a: service(svc('a2a')),
          audit: service(svc('audit')),
          xmppBridge: service(svc('xmppBridge')),
        },
        ['gateway', 'orchestrator', 'mcpTools', 'a2a', 'audit', 'xmppBridge'],
      ),
      probes: strict({ liveness: probe, readiness: probe }),
      migrations: strict({
        enabled: bool(),
        image: str(),
        waitSeconds: int(0),
        resources: obj,
      }),
      service: strict({ type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] } }),
      ingress: strict({
        enabled: bool(),
        className: str(),
        annotations: obj,
        hosts: list,
        tls: list,
      }),
      metrics: strict({
        serviceMonitor: strict({
          enabled: bool(),
          interval: str(),
          scrapeTimeout: str(),
          labels: obj,
        }),
        prometheusRule: strict({ enabled: bool(), labels: obj }),
        grafanaDashboard: strict({
          enabled: bool(),
          labels: obj,
          annotations: obj,
          namespace: str('namespace of the ConfigMap (empty: the release namespace)'),
        }),
      }),
      networkPolicy: strict({ enabled: bool(), gatewayFrom: list, metricsFrom: list }),
      tests: strict({
        enabled: bool(),
        task: { type: 'string', minLength: 1 },
        expect: str('text the answer must contain'),
        expectSteps: { type: 'array', items: { type: 'string' } },
        tokenSecret: strict({ name: str(), key: str() }),
        resources: obj,
      }),
    }),
  };
}
