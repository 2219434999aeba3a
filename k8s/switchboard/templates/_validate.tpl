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
{{- $replicas := .Values.config.JETSTREAM_REPLICAS -}}
{{- if and .Values.nats.bundled (not (kindIs "invalid" $replicas)) (gt (int $replicas) 1) -}}
{{- fail (printf "config.JETSTREAM_REPLICAS=%v needs a NATS cluster of %v or more JetStream servers and the bundled NATS is one: leave it out (or 1), or use your cluster (nats.bundled=false, nats.servers)" $replicas $replicas) -}}
{{- end -}}
{{- end -}}
