{{/*
Environment of a service container: the settings the chart owns (port, interface, the replica's
name), its NATS identity's password (nats.identities), each secret setting the service reads from the
Secret (the list tools/docs/chart-values.ts generates from its config), the XMPP CA file for the
bridge, and extraEnv. Everything else comes from
its ConfigMap (envFrom). sb.serviceEnv (list $ "gateway")
*/}}
{{- define "sb.serviceEnv" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $svc := index $.Values.services $key -}}
{{- $wiring := index (include "sb.settings" $ | fromJson).services $key -}}
- name: PORT
  value: {{ $svc.port | quote }}
- name: HOST
  value: "0.0.0.0"
- name: INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if $.Values.nats.identities }}
{{- /* its own NATS identity: user = its name (ConfigMap), password from its own Secret key */}}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sb.secretName" $ }}
      key: {{ include "sb.natsPasswordKey" $wiring.service }}
{{- $live := include "sb.natsPasswordKey" "live" }}
{{- /* only when the Secret surely holds it: generated for the bundled NATS, or given in secrets */}}
{{- $liveKnown := or (and $.Values.nats.bundled (not $.Values.secrets.existingSecret)) (hasKey $.Values.secrets $live) }}
{{- if and (eq $wiring.service "gateway") $liveKnown }}
{{- /* the console's Live view reads the traffic as the read-only `live` identity */}}
- name: LIVE_NATS_USER
  value: live
- name: LIVE_NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "sb.secretName" $ }}
      key: {{ $live }}
{{- end }}
{{- end }}
{{- range $env, $secretKey := $wiring.secrets }}
{{- if not (and $.Values.nats.identities (has $env (list "NATS_PASSWORD" "NATS_TOKEN"))) }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "sb.secretName" $ }}
      key: {{ $secretKey }}
      optional: {{ not (has $env $wiring.required) }}
{{- end }}
{{- end }}
{{- if and (eq $key "xmppBridge") (include "sb.xmppCaSecret" $) }}
{{- /* the bridge adds this CA to its XMPP connections only; NODE_EXTRA_CA_CERTS stays yours (config) */}}
- name: XMPP_BRIDGE_CA_FILE
  value: /etc/switchboard/xmpp-ca/{{ include "sb.xmppCaKey" $ }}
{{- end }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The init container that applies a service's migrations (creating its database when missing), waiting
for the database server for up to migrations.waitSeconds. sb.migrateInit (list $ "orchestrator")
*/}}
{{- define "sb.migrateInit" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $wiring := index (include "sb.settings" $ | fromJson).services $key -}}
- name: migrate
  image: {{ default (include "sb.image" (list $ "migrate")) $.Values.migrations.image }}
  imagePullPolicy: {{ $.Values.image.pullPolicy }}
  workingDir: /app
  command: ["sh", "/etc/switchboard/scripts/migrate.sh", {{ $wiring.service | quote }}]
  env:
    - name: DATABASE_URL
      valueFrom:
        secretKeyRef:
          name: {{ include "sb.secretName" $ }}
          key: {{ index $wiring.secrets "DATABASE_URL" }}
    - name: MIGRATE_WAIT_SECONDS
      value: {{ $.Values.migrations.waitSeconds | quote }}
    - name: CHECKPOINT_DISABLE
      value: "1"
    - name: HOME
      value: /tmp
  resources:
    {{- toYaml $.Values.migrations.resources | nindent 4 }}
  securityContext:
    {{- toYaml $.Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    - name: migrate-work
      mountPath: /app/.prisma-migrate
    - name: scripts
      mountPath: /etc/switchboard/scripts
      readOnly: true
{{- end -}}

{{/* Spread of one component's replicas over nodes and zones: sb.spread (list $ "gateway") */}}
{{- define "sb.spread" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- if $.Values.topologySpreadConstraints -}}
{{ toYaml $.Values.topologySpreadConstraints }}
{{- else if $.Values.topologySpread.enabled -}}
{{- range $topologyKey := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
- maxSkew: {{ $.Values.topologySpread.maxSkew }}
  topologyKey: {{ $topologyKey }}
  whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "sb.selectorLabels" (list $ $name) | nindent 6 }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Seconds Kubernetes waits for a pod to stop: the preStop pause, SHUTDOWN_GRACE_MS, a margin */}}
{{- define "sb.terminationGrace" -}}
{{- $ := index . 0 -}}
{{- $svc := index $.Values.services (index . 1) -}}
{{- $graceMs := coalesce ($svc.config | default dict).SHUTDOWN_GRACE_MS $.Values.config.SHUTDOWN_GRACE_MS 10000 -}}
{{- add (int $.Values.preStopSleepSeconds) (div (int $graceMs) 1000) 10 -}}
{{- end -}}
