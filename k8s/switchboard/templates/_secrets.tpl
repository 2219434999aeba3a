{{/*
A value the release needs and was not given: the one already in the release's Secret (so it survives
upgrades), else a new random one. With secrets.autoGenerate off the render fails, naming the value.
sb.generated (list $ "KEY" length "where to give it")
*/}}
{{- define "sb.generated" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- if not $.Values.secrets.autoGenerate -}}
{{- fail (printf "%s is needed and secrets.autoGenerate is false: give %s (or use secrets.existingSecret)" $key (index . 3)) -}}
{{- end -}}
{{- $existing := lookup "v1" "Secret" $.Release.Namespace (include "sb.fullname" $) -}}
{{- if and $existing $existing.data (hasKey $existing.data $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- randAlphaNum (index . 2) -}}
{{- end -}}
{{- end -}}

{{/* The gateway's AUTH_MODE as the service will read it (its default is jwt) */}}
{{- define "sb.authMode" -}}
{{- default "jwt" .Values.services.gateway.config.AUTH_MODE -}}
{{- end -}}

{{/*
The data of the Secret the chart makes (plain text, as JSON): secrets.*, the PostgreSQL password and
the database URLs, REDIS_URL, the NATS identities' passwords (nats.identities), and what is generated. Computed once per render (random values must be
the same in the Secret and in the checksums that roll the pods), so it is kept in .Values._sbSecrets.
*/}}
{{- define "sb.secretData" -}}
{{- if not (hasKey .Values "_sbSecrets") -}}
{{- $data := dict -}}
{{- $generated := list -}}
{{- range $k, $v := .Values.secrets -}}
{{- if and (regexMatch "^[A-Z][A-Z0-9_]*$" $k) $v -}}{{- $_ := set $data $k (toString $v) -}}{{- end -}}
{{- end -}}
{{- $pg := .Values.postgresql -}}
{{- $pgPassword := $pg.password -}}
{{- if and $pg.bundled (not $pgPassword) -}}
{{- $pgPassword = include "sb.generated" (list $ "POSTGRES_PASSWORD" 32 "postgresql.password") -}}
{{- $generated = append $generated "POSTGRES_PASSWORD" -}}
{{- end -}}
{{- if $pg.bundled -}}{{- $_ := set $data "POSTGRES_PASSWORD" $pgPassword -}}{{- end -}}
{{- $host := include "sb.postgresHost" . -}}
{{- $dbs := dict "ORCHESTRATOR_DATABASE_URL" $pg.databases.orchestrator "MCP_TOOLS_DATABASE_URL" $pg.databases.mcpTools "AUDIT_DATABASE_URL" $pg.databases.audit -}}
{{- range $key, $db := $dbs -}}
{{- if not (hasKey $data $key) -}}
{{- if not $host -}}{{- fail (printf "postgresql.host (or secrets.%s) is required when postgresql.bundled is false" $key) -}}{{- end -}}
{{- $auth := $pg.user | urlquery -}}
{{- if $pgPassword -}}{{- $auth = printf "%s:%s" $auth ($pgPassword | urlquery) -}}{{- end -}}
{{- $url := printf "postgresql://%s@%s:%v/%s" $auth $host $pg.port $db -}}
{{- if $pg.params -}}{{- $url = printf "%s?%s" $url $pg.params -}}{{- end -}}
{{- $_ := set $data $key $url -}}
{{- end -}}
{{- end -}}
{{- if not (hasKey $data "REDIS_URL") -}}
{{- if .Values.redis.bundled -}}
{{- $_ := set $data "REDIS_URL" (printf "redis://%s:6379" (include "sb.component" (list . "redis"))) -}}
{{- else -}}
{{- $_ := set $data "REDIS_URL" (required "redis.url (or secrets.REDIS_URL) is required when redis.bundled is false" .Values.redis.url) -}}
{{- end -}}
{{- end -}}
{{- if not (hasKey $data "AZTM_PASSWORD") -}}
{{- if not .Values.xmpp.bundled -}}{{- fail "secrets.AZTM_PASSWORD (the password of xmpp.jid on your XMPP server) is required when xmpp.bundled is false" -}}{{- end -}}
{{- $_ := set $data "AZTM_PASSWORD" (include "sb.generated" (list $ "AZTM_PASSWORD" 32 "secrets.AZTM_PASSWORD")) -}}
{{- $generated = append $generated "AZTM_PASSWORD" -}}
{{- end -}}
{{- if .Values.nats.identities -}}
{{- $_ := include "sb.natsServers" . -}}
{{- range $identity := include "sb.natsIdentities" $ | fromJsonArray -}}
{{- $key := include "sb.natsPasswordKey" $identity -}}
{{- if not (hasKey $data $key) -}}
{{- if $.Values.nats.bundled -}}
{{- $password := include "sb.generated" (list $ $key 32 (printf "secrets.%s" $key)) -}}
{{- /* NATS parses it as a configuration value: a letter first keeps it a string */}}
{{- if not (regexMatch "^[A-Za-z]" $password) -}}{{- $password = printf "n%s" (substr 1 32 $password) -}}{{- end -}}
{{- $_ := set $data $key $password -}}
{{- $generated = append $generated $key -}}
{{- else if not (or (has $identity (list "operator" "admin" "live")) (hasPrefix "operator-" $identity)) -}}
{{- fail (printf "secrets.%s (the NATS password of the %s user on your NATS) is required with nats.identities and an external NATS; or set nats.identities=false and nats.user (docs/operations.md)" $key $identity) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $mode := include "sb.authMode" . -}}
{{- if and (eq $mode "jwt") (not (hasKey $data "JWT_SECRET")) (not .Values.services.gateway.config.JWT_JWKS_URL) -}}
{{- $_ := set $data "JWT_SECRET" (include "sb.generated" (list $ "JWT_SECRET" 48 "secrets.JWT_SECRET or services.gateway.config.JWT_JWKS_URL")) -}}
{{- $generated = append $generated "JWT_SECRET" -}}
{{- end -}}
{{- if and (eq $mode "trusted-headers") (not (hasKey $data "TRUSTED_PROXY_SECRET")) -}}
{{- fail "secrets.TRUSTED_PROXY_SECRET (the secret your proxy sends) is required with AUTH_MODE=trusted-headers" -}}
{{- end -}}
{{- $_ := set .Values "_sbSecrets" (dict "data" $data "generated" $generated) -}}
{{- end -}}
{{- toJson .Values._sbSecrets -}}
{{- end -}}

{{/*
Checksum of the secret settings one service reads (from the chart's Secret, or what the cluster holds
in secrets.existingSecret), so that changing one rolls only the pods that read it.
sb.secretChecksum (list $ "gateway")
*/}}
{{- define "sb.secretChecksum" -}}
{{- $ := index . 0 -}}
{{- $settings := include "sb.settings" $ | fromJson -}}
{{- $wiring := index $settings.services (index . 1) -}}
{{- $source := dict -}}
{{- if $.Values.secrets.existingSecret -}}
{{- $found := lookup "v1" "Secret" $.Release.Namespace $.Values.secrets.existingSecret -}}
{{- $source = (and $found $found.data) | default dict -}}
{{- else -}}
{{- $source = (include "sb.secretData" $ | fromJson).data -}}
{{- end -}}
{{- $keys := list -}}
{{- range $env, $key := $wiring.secrets -}}
{{- if not (and $.Values.nats.identities (has $env (list "NATS_PASSWORD" "NATS_TOKEN"))) -}}
{{- $keys = append $keys $key -}}
{{- end -}}
{{- end -}}
{{- if $.Values.nats.identities -}}{{- $keys = append $keys (include "sb.natsPasswordKey" $wiring.service) -}}{{- end -}}
{{- $used := dict -}}
{{- range $key := $keys -}}
{{- if hasKey $source $key -}}{{- $_ := set $used $key (index $source $key) -}}{{- end -}}
{{- end -}}
{{- toJson $used | sha256sum -}}
{{- end -}}

{{/* Checksum of the NATS identities' passwords, as the bundled NATS reads them */}}
{{- define "sb.natsPasswordsChecksum" -}}
{{- $source := dict -}}
{{- if .Values.secrets.existingSecret -}}
{{- $found := lookup "v1" "Secret" .Release.Namespace .Values.secrets.existingSecret -}}
{{- $source = (and $found $found.data) | default dict -}}
{{- else -}}
{{- $source = (include "sb.secretData" . | fromJson).data -}}
{{- end -}}
{{- $used := dict -}}
{{- range $identity := include "sb.natsIdentities" . | fromJsonArray -}}
{{- $key := include "sb.natsPasswordKey" $identity -}}
{{- if hasKey $source $key -}}{{- $_ := set $used $key (index $source $key) -}}{{- end -}}
{{- end -}}
{{- toJson $used | sha256sum -}}
{{- end -}}
