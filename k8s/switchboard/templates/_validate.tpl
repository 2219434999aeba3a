{{/*
Rules across values that values.schema.json cannot express, refused at render time with the values to
change (the services would refuse them at start, after a rollout).
*/}}
{{- define "sb.validate" -}}
{{- $gateway := .Values.services.gateway.config | default dict -}}
{{- $nodeEnv := coalesce $gateway.NODE_ENV .Values.config.NODE_ENV "development" -}}
{{- if and (eq (include "sb.authMode" .) "dev") (eq $nodeEnv "production") -}}
{{- fail "services.gateway.config.AUTH_MODE=dev trusts X-User-Id and is refused with NODE_ENV=production: use jwt or trusted-headers" -}}
{{- end -}}
{{- /* Every service sets up the JetStream streams at start: they must all want the same. */ -}}
{{- range $key := list "gateway" "orchestrator" "mcpTools" "a2a" "audit" "xmppBridge" -}}
{{- $svcConfig := (index $.Values.services $key).config | default dict -}}
{{- range $setting := list "JETSTREAM_REPLICAS" "JETSTREAM_MAX_BYTES" "JETSTREAM_MAX_AGE" "JETSTREAM_TASKS_PER_DAY" -}}
{{- if not (kindIs "invalid" (index $svcConfig $setting)) -}}
{{- fail (printf "services.%s.config.%s: every service sets up the JetStream streams with this setting, so give it once in config (for all of them), not per service" $key $setting) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq .Values.shape "cell" -}}
{{- if not .Values.cell.services -}}
{{- fail "cell.services: shape=cell needs at least one service in the cell (gateway, orchestrator, mcpTools, a2a, audit, xmppBridge)" -}}
{{- end -}}
{{- $ports := dict -}}
{{- range $key := .Values.cell.services -}}
{{- $port := toString (index $.Values.services $key).port -}}
{{- if hasKey $ports $port -}}
{{- fail (printf "cell.services: %s and %s both listen on port %s, and a cell runs them in one pod: give each its own services.<name>.port" (index $ports $port) $key $port) -}}
{{- end -}}
{{- $_ := set $ports $port $key -}}
{{- end -}}
{{- if and (has "xmppBridge" .Values.cell.services) (or .Values.cell.autoscaling.enabled (gt (int .Values.cell.replicaCount) 1)) -}}
{{- fail "cell.services: the xmpp-bridge holds one XMPP login (AZTM_JID) and runs as one replica, but the cell is scaled out (cell.replicaCount > 1 or cell.autoscaling.enabled): leave xmppBridge out of the cell (it keeps its own Deployment) or run one cell" -}}
{{- end -}}
{{- end -}}
{{- $replicas := .Values.config.JETSTREAM_REPLICAS -}}
{{- if and .Values.nats.bundled (not (kindIs "invalid" $replicas)) (gt (int $replicas) 1) -}}
{{- fail (printf "config.JETSTREAM_REPLICAS=%v needs a NATS cluster of %v or more JetStream servers and the bundled NATS is one: leave it out (or 1), or use your cluster (nats.bundled=false, nats.servers)" $replicas $replicas) -}}
{{- end -}}
{{- end -}}
