# syntax=docker/dockerfile:1
# Prosody 0.12 for docker compose (and the Helm chart's bundled XMPP server), configured by
# infra/prosody/instance.mjs exactly like the local stack and the tests: CA + leaf certificate generated
# on first start (or given with --cert/--key/--ca), 5222 STARTTLS, 5223 direct TLS, accounts from --account.
#   docker build -f infra/docker/prosody.Dockerfile -t switchboard/prosody .
ARG NODE_IMAGE=node:24.21-bookworm-slim
FROM ${NODE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prosody openssl \
 && rm -rf /var/lib/apt/lists/* \
 && groupmod -g 10001 prosody && usermod -u 10001 -g 10001 prosody \
 && mkdir -p /var/lib/sb-prosody && chown -R 10001:10001 /var/lib/sb-prosody /var/lib/prosody
WORKDIR /opt/switchboard
COPY infra/prosody/instance.mjs infra/prosody/prosody.cfg.lua.tmpl ./infra/prosody/
# numeric, so that Kubernetes can check runAsNonRoot
USER 10001:10001
VOLUME /var/lib/sb-prosody
EXPOSE 5222 5223
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=10 \
  CMD ["node", "-e", "require('net').connect(5222,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "/opt/switchboard/infra/prosody/instance.mjs", "run", "--dir", "/var/lib/sb-prosody", "--c2s-port", "5222", "--tls-port", "5223", "--interface", "*", "--san", "prosody"]
