{{/* Names and labels */}}
{{- define "sb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sb.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>, e.g. sb.component (list $ "gateway") */}}
{{- define "sb.component" -}}
{{- $ := index . 0 -}}
{{- printf "%s-%s" (include "sb.fullname" $) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: switchboard
{{- end -}}

{{/* Selector labels of one component: sb.selectorLabels (list $ "gateway") */}}
{{- define "sb.selectorLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ include "sb.name" $ }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "sb.componentLabels" -}}
{{ include "sb.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "sb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sb.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sb.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* Image of a component: sb.image (list $ "gateway") */}}
{{- define "sb.image" -}}
{{- $ := index . 0 -}}
{{- printf "%s/%s:%s" $.Values.image.registry (index . 1) (include "sb.tag" $) -}}
{{- end -}}

{{/* The Secret every secret setting comes from */}}
{{- define "sb.secretName" -}}
{{- default (include "sb.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the given value, else the one already in the
release's Secret, else a new random one. sb.generated (list $ "KEY" givenValue)
*/}}
{{- define "sb.generated" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $given := index . 2 -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" $.Release.Namespace (include "sb.fullname" $) -}}
{{- if and $existing $existing.data (hasKey $existing.data $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Addresses of the dependencies */}}
{{- define "sb.natsServers" -}}
{{- if .Values.nats.bundled -}}
{{- printf "nats://%s:4222" (include "sb.component" (list . "nats")) -}}
{{- else -}}
{{- required "nats.servers is required when nats.bundled is false" .Values.nats.servers -}}
{{- end -}}
{{- end -}}

{{- define "sb.postgresHost" -}}
{{- if .Values.postgresql.bundled -}}
{{- include "sb.component" (list . "postgresql") -}}
{{- else -}}
{{- .Values.postgresql.host -}}
{{- end -}}
{{- end -}}

{{- define "sb.xmppHost" -}}
{{- if .Values.xmpp.bundled -}}
{{- include "sb.component" (list . "prosody") -}}
{{- else -}}
{{- required "xmpp.host is required when xmpp.bundled is false" .Values.xmpp.host -}}
{{- end -}}
{{- end -}}

{{- define "sb.xmppCaSecret" -}}
{{- if .Values.xmpp.caSecret.name -}}
{{- .Values.xmpp.caSecret.name -}}
{{- else if .Values.xmpp.bundled -}}
{{- include "sb.component" (list . "prosody-tls") -}}
{{- end -}}
{{- end -}}

{{- define "sb.xmppCaKey" -}}
{{- if .Values.xmpp.caSecret.name -}}{{ .Values.xmpp.caSecret.key }}{{- else -}}ca.crt{{- end -}}
{{- end -}}

{{/*
How each service gets its settings. "config": keys read from the service's ConfigMap (optional: a key
left empty in values is absent and the service default applies). "secret": env name -> key in the
Secret, with "required" ones not optional.
*/}}
{{- define "sb.wiring" -}}
common:
  config: [NODE_ENV, LOG_LEVEL, LOG_PRETTY, NATS_SERVERS, NATS_USER, OTEL_EXPORTER_OTLP_ENDPOINT, SHUTDOWN_GRACE_MS]
  secret: {NATS_PASSWORD: NATS_PASSWORD, NATS_TOKEN: NATS_TOKEN}
  required: []
gateway:
  config: [AUTH_MODE, TB_DEFAULT_USER_ID, REDIS_KEY_PREFIX, TRUST_PROXY]
  secret: {REDIS_URL: REDIS_URL, JWT_SECRET: JWT_SECRET, JWT_JWKS_URL: JWT_JWKS_URL, JWT_ISSUER: JWT_ISSUER, JWT_AUDIENCE: JWT_AUDIENCE, TRUSTED_PROXY_SECRET: TRUSTED_PROXY_SECRET}
  required: [REDIS_URL]
orchestrator:
  config: [OPENAI_BASE_URL, LLM_MODEL, MAX_ITERATIONS_PER_TURN, DISALLOWED_KEYWORDS]
  secret: {DATABASE_URL: ORCHESTRATOR_DATABASE_URL, OPENAI_API_KEY: OPENAI_API_KEY}
  required: [DATABASE_URL]
mcpTools:
  config: [REDIS_KEY_PREFIX, WEATHER_API_URL, TOOLS_FILE]
  secret: {DATABASE_URL: MCP_TOOLS_DATABASE_URL, REDIS_URL: REDIS_URL, WEATHER_API_KEY: WEATHER_API_KEY}
  required: [DATABASE_URL, REDIS_URL]
a2a:
  config: [A2A_AGENTS, SERVICE_MAP]
  secret: {}
  required: []
audit:
  config: []
  secret: {DATABASE_URL: AUDIT_DATABASE_URL}
  required: [DATABASE_URL]
xmppBridge:
  config: [AZTM_HOST, AZTM_PORT, AZTM_DOMAIN, AZTM_TLS, AZTM_VALIDATE_CERT, AZTM_XMPP_TIMEOUT, AZTM_JID, AZTM_LOG_LEVEL, SERVICE_MAP, AZTM_SERVER_MODE, XMPP_BRIDGE_ALLOWED_JIDS, XMPP_BRIDGE_HTTP_TARGET, XMPP_BRIDGE_MAX_BODY_BYTES]
  secret: {AZTM_PASSWORD: AZTM_PASSWORD}
  required: []
{{- end -}}

{{/* The ConfigMap data of one service (non-empty values only): sb.serviceConfig (list $ "gateway") */}}
{{- define "sb.serviceConfig" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := index $.Values.services $key -}}
{{- $data := dict -}}
{{- range $k, $v := $.Values.config -}}
{{- $_ := set $data $k $v -}}
{{- end -}}
{{- $_ := set $data "NATS_SERVERS" (include "sb.natsServers" $) -}}
{{- $_ := set $data "NATS_USER" $.Values.nats.user -}}
{{- if eq $key "xmppBridge" -}}
{{- $_ := set $data "AZTM_HOST" (include "sb.xmppHost" $) -}}
{{- $_ := set $data "AZTM_PORT" $.Values.xmpp.port -}}
{{- $_ := set $data "AZTM_DOMAIN" $.Values.xmpp.domain -}}
{{- $_ := set $data "AZTM_TLS" $.Values.xmpp.tls -}}
{{- $_ := set $data "AZTM_VALIDATE_CERT" $.Values.xmpp.validateCert -}}
{{- $_ := set $data "AZTM_XMPP_TIMEOUT" $.Values.xmpp.timeout -}}
{{- $_ := set $data "AZTM_JID" $.Values.xmpp.jid -}}
{{- $_ := set $data "AZTM_LOG_LEVEL" $.Values.xmpp.logLevel -}}
{{- $_ := set $data "XMPP_BRIDGE_HTTP_TARGET" (printf "http://%s:%v" (include "sb.component" (list $ $.Values.services.gateway.name)) $.Values.services.gateway.port) -}}
{{- end -}}
{{- range $k, $v := ($svc.config | default dict) -}}
{{- /* an empty value keeps what the chart derived (e.g. the bridge's gateway target) */ -}}
{{- if or (not (kindIs "string" $v)) $v -}}
{{- $_ := set $data $k $v -}}
{{- end -}}
{{- end -}}
{{- if and (eq $key "mcpTools") $svc.toolsFile (not $svc.config.TOOLS_FILE) -}}
{{- $_ := set $data "TOOLS_FILE" "/etc/switchboard/tools.json" -}}
{{- end -}}
{{- range $k, $v := $data -}}
{{- if or (kindIs "bool" $v) (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v) $v }}
{{ $k }}: {{ toString $v | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Checksum of the settings of one service, to roll its pods when they change */}}
{{- define "sb.configChecksum" -}}
{{- include "sb.serviceConfig" . | sha256sum -}}
{{- end -}}

{{/* Hook annotations of the migration Job (and of the Secret it needs at pre-install) */}}
{{- define "sb.migrationHook" -}}
{{- if .Values.postgresql.bundled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end -}}
{{- end -}}
