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

{{/* Image of the platform: sb.image (list $ "gateway"), with image.digests.<name> pinned when given */}}
{{- define "sb.image" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $ref := printf "%s/%s:%s" $.Values.image.registry $name (default $.Chart.AppVersion $.Values.image.tag) -}}
{{- with index $.Values.image.digests $name -}}{{- $ref = printf "%s@%s" $ref . -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* Image of a dependency: sb.depImage .Values.nats.image */}}
{{- define "sb.depImage" -}}
{{- $ref := printf "%s:%s" .repository .tag -}}
{{- with .digest -}}{{- $ref = printf "%s@%s" $ref . -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{/* What tools/docs/chart-values.ts generated from the services' configs: secret env per service */}}
{{- define "sb.settings" -}}
{{- .Files.Get "files/settings.json" -}}
{{- end -}}

{{/* The Secret every secret setting comes from */}}
{{- define "sb.secretName" -}}
{{- default (include "sb.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
The Secret key holding a NATS identity's password (nats.identities): sb.natsPasswordKey "mcp-tools"
gives NATS_PASSWORD_MCP_TOOLS, the variable files/nats-identities.conf reads it from too.
*/}}
{{- define "sb.natsPasswordKey" -}}
{{- printf "NATS_PASSWORD_%s" (. | upper | replace "-" "_") -}}
{{- end -}}

{{/*
Every NATS identity: the six services (by their names), the operator and admin (the CLI's), live,
and an operator-<tenant> per nats.tenantOperators (docs/tenancy.md)
*/}}
{{- define "sb.natsIdentities" -}}
{{- $names := list -}}
{{- range $key, $wiring := (include "sb.settings" . | fromJson).services -}}
{{- $names = append $names $wiring.service -}}
{{- end -}}
{{- $tenants := list -}}
{{- range $tenant := .Values.nats.tenantOperators | default list -}}
{{- if not (regexMatch "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$" $tenant) -}}
{{- fail (printf "nats.tenantOperators: %q must be 1-64 letters, digits, \"_\" or \"-\", starting with a letter or digit" $tenant) -}}
{{- end -}}
{{- $tenants = append $tenants (printf "operator-%s" $tenant) -}}
{{- end -}}
{{- concat ($names | sortAlpha) (list "operator" "admin" "live") $tenants | toJson -}}
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

{{/* The bundled Prosody's TLS Secret: yours (xmpp.prosody.tlsSecret) or the one the chart makes */}}
{{- define "sb.prosodyTlsSecret" -}}
{{- default (include "sb.component" (list . "prosody-tls")) .Values.xmpp.prosody.tlsSecret -}}
{{- end -}}

{{- define "sb.xmppCaSecret" -}}
{{- if .Values.xmpp.caSecret.name -}}
{{- .Values.xmpp.caSecret.name -}}
{{- else if .Values.xmpp.bundled -}}
{{- include "sb.prosodyTlsSecret" . -}}
{{- end -}}
{{- end -}}

{{- define "sb.xmppCaKey" -}}
{{- if .Values.xmpp.caSecret.name -}}{{ .Values.xmpp.caSecret.key }}{{- else -}}ca.crt{{- end -}}
{{- end -}}

{{/*
A setting's value as an environment variable: strings as given, booleans as true/false, whole numbers
without an exponent, maps and lists as JSON (the services parse JSON for SERVICE_MAP, A2A_AGENTS…).
*/}}
{{- define "sb.envValue" -}}
{{- $v := . -}}
{{- if kindIs "string" $v -}}{{ $v }}
{{- else if kindIs "bool" $v -}}{{ ternary "true" "false" $v }}
{{- else if kindIs "float64" $v -}}
{{- if eq ($v | int64 | float64) $v -}}{{ $v | int64 }}{{- else -}}{{ $v }}{{- end -}}
{{- else if or (kindIs "map" $v) (kindIs "slice" $v) -}}{{ toJson $v }}
{{- else -}}{{ $v }}
{{- end -}}
{{- end -}}

{{/*
The settings of one service, as its ConfigMap data: config (every service), then what the chart
derives (nats.*, xmpp.*, the tools file), then services.<key>.config. Unset and empty values are left
out, so the service's default applies. sb.serviceConfig (list $ "gateway")
*/}}
{{- define "sb.serviceConfig" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := index $.Values.services $key -}}
{{- $data := dict -}}
{{- range $k, $v := $.Values.config -}}
{{- $_ := set $data $k $v -}}
{{- end -}}
{{- $_ := set $data "NATS_SERVERS" (include "sb.natsServers" $) -}}
{{- $wiring := index (include "sb.settings" $ | fromJson).services $key -}}
{{- $_ := set $data "NATS_USER" (ternary $wiring.service $.Values.nats.user $.Values.nats.identities) -}}
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
{{- if and (eq $key "mcpTools") $svc.toolsFile -}}
{{- $_ := set $data "TOOLS_FILE" "/etc/switchboard/tools/tools.yaml" -}}
{{- end -}}
{{- if and (has $key (list "orchestrator" "mcpTools" "a2a")) $.Values.tenants.settings -}}
{{- $_ := set $data "TENANTS_FILE" "/etc/switchboard/tenants/tenants.yaml" -}}
{{- end -}}
{{- if and (eq $key "mcpTools") $.Values.tenants.credentialSecrets -}}
{{- $_ := set $data "TENANT_CREDENTIALS_DIR" "/etc/switchboard/tenant-credentials" -}}
{{- end -}}
{{- range $k, $v := ($svc.config | default dict) -}}
{{- $_ := set $data $k $v -}}
{{- end -}}
{{- range $k, $v := $data -}}
{{- $text := include "sb.envValue" $v -}}
{{- if and (not (kindIs "invalid" $v)) $text }}
{{ $k }}: {{ $text | quote }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The nats-server users of tenant operators (nats.tenantOperators): each reads its tenant's task events
and audit records and nothing else, as libs/contracts tenantOperatorPermissions renders them.
*/}}
{{- define "sb.natsTenantOperators" -}}
{{- range $tenant := .Values.nats.tenantOperators | default list }}
    {
      # operator-{{ $tenant }}
      user: "operator-{{ $tenant }}"
      password: ${{ include "sb.natsPasswordKey" (printf "operator-%s" $tenant) }}
      permissions: {
        publish: { deny: [">"] }
        subscribe: { allow: ["sb.audit.*.*.{{ $tenant }}", "sb.evt.task.*.{{ $tenant }}.>"], deny: ["> *"] }
      }
    }
{{- end }}
{{- end -}}

{{/*
Whether a service runs in the cell (shape: cell and its key in cell.services): "true" or "".
sb.inCell (list $ "gateway")
*/}}
{{- define "sb.inCell" -}}
{{- $ := index . 0 -}}
{{- if and (eq $.Values.shape "cell") (has (index . 1) $.Values.cell.services) -}}true{{- end -}}
{{- end -}}
