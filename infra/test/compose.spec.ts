// docker-compose.yml, checked statically (no Docker engine here): every service present, health checks,
// start order on healthy dependencies, hardening, and builds that point at real services.
import { describe, expect, it } from '@jest/globals';
import { isSecretKey, serviceEnv } from '@switchboard/config';
import { NATS_IDENTITIES, natsPasswordVariable } from '@switchboard/contracts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { PORTS, readText, ROOT, SERVICES, type ServiceName } from './support/deploy.js';

/** Which secret settings each service reads (generated from the services' configs for the chart). */
const SETTINGS = JSON.parse(readText('k8s/switchboard/files/settings.json')) as {
  services: Record<string, { secrets: Record<string, string> }>;
};
const CHART_KEY: Record<ServiceName, string> = {
  gateway: 'gateway',
  orchestrator: 'orchestrator',
  'mcp-tools': 'mcpTools',
  a2a: 'a2a',
  audit: 'audit',
  'xmpp-bridge': 'xmppBridge',
};

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<string | { path: string; required?: boolean }>;
  healthcheck?: { test?: string[] | string; interval?: string };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number | string };
  cap_drop?: string[];
  security_opt?: string[];
  ports?: string[];
  volumes?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readText('docker-compose.yml'), { merge: true }) as Compose;

/** The nats-server versions the platform supports: Debian's, and the one infra/setup.sh fetches. */
const NATS_SERVER_BINARIES: [string, string][] = [
  ['2.9', '/usr/sbin/nats-server'],
  ['2.10', join(ROOT, 'tools/bin/nats-server/nats-server')],
];
const DEPENDENCIES = ['nats', 'postgres', 'redis', 'prosody'];

/** What each app service needs healthy (or, for migrate, completed) before it starts. */
const NEEDS: Record<ServiceName, string[]> = {
  gateway: ['nats', 'redis'],
  orchestrator: ['nats', 'postgres', 'redis', 'migrate'],
  'mcp-tools': ['nats', 'postgres', 'redis', 'migrate'],
  a2a: ['nats', 'redis'],
  audit: ['nats', 'postgres', 'migrate'],
  'xmpp-bridge': ['nats', 'prosody'],
};

describe('docker-compose.yml', () => {
  it('names every service and dependency, and the migrate one-shot', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...SERVICES, ...DEPENDENCIES, 'migrate', 'cell'].sort(),
    );
  });

  it.each(DEPENDENCIES)('dependency %s has a health check', (name) => {
    const svc = compose.services[name];
    expect(svc?.healthcheck?.test).toBeDefined();
  });

  it('runs NATS with JetStream and a monitoring port, checked through it', () => {
    const nats = compose.services['nats'];
    expect(nats?.command).toEqual(expect.arrayContaining(['-js', '-m', '8222']));
    expect(JSON.stringify(nats?.healthcheck?.test)).toContain('8222/healthz');
  });

  it("runs NATS with the stack's settings (8 MB messages) and a user per identity", () => {
    const nats = compose.services['nats'];
    const command = nats?.command ?? [];
    const conf = command[command.indexOf('-c') + 1];
    expect(conf).toBeDefined();
    const mounted = (file: string) => nats?.volumes?.find((v) => v.split(':')[0] === file);
    expect(mounted('./infra/docker/nats-identities.conf')?.split(':')[1]).toBe(conf);
    // it includes ./nats.conf, mounted beside it
    expect(readText('infra/docker/nats-identities.conf')).toMatch(/^include \.\/nats\.conf$/m);
    expect(mounted('./infra/docker/nats.conf')?.split(':')[1]).toBe(
      join(dirname(conf ?? ''), 'nats.conf'),
    );
    expect(readText('infra/docker/nats.conf')).toMatch(/^max_payload: 8MB$/m);
    // every identity's password reaches the server, which reads it from its environment
    for (const identity of NATS_IDENTITIES) {
      const variable = natsPasswordVariable(identity);
      expect(readText('infra/docker/nats-identities.conf')).toContain(
        `user: "${identity}"\n      password: $${variable}\n`,
      );
      expect(nats?.environment?.[variable]).toMatch(new RegExp(`^\\$\\{${variable}:-[A-Za-z]`));
    }
  });

  it.each(NATS_SERVER_BINARIES)(
    'has a NATS configuration that nats-server %s loads, with the default passwords',
    (_version, binary) => {
      expect({ binary, installed: existsSync(binary) }).toEqual({ binary, installed: true });
      const env = Object.fromEntries(
        NATS_IDENTITIES.map((i) => {
          const variable = natsPasswordVariable(i);
          const fallback = /:-([^}]*)\}$/.exec(
            compose.services['nats']?.environment?.[variable] ?? '',
          );
          return [variable, fallback?.[1] ?? ''];
        }),
      );
      const r = spawnSync(binary, ['-t', '-c', 'nats-identities.conf'], {
        cwd: join(ROOT, 'infra', 'docker'),
        env: { ...env, PATH: process.env['PATH'] },
        encoding: 'utf8',
      });
      expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(r.stderr).not.toMatch(/error|can not|could not/i);
    },
  );

  it("keeps the platform bridge's server mode closed unless XMPP_BRIDGE_ALLOWED_JIDS names someone", () => {
    const bridge = compose.services['xmpp-bridge'];
    expect(bridge?.environment?.['XMPP_BRIDGE_ALLOWED_JIDS']).toBe('${XMPP_BRIDGE_ALLOWED_JIDS:-}');
  });

  it('creates the three databases in PostgreSQL init and migrates them once it is healthy', () => {
    const pg = compose.services['postgres'];
    const init = pg?.volumes?.find((v) => v.includes('/docker-entrypoint-initdb.d/'));
    expect(init).toBeDefined();
    const file = (init ?? '').split(':')[0] ?? '';
    const sql = readText(file.replace(/^\.\//, ''));
    for (const db of ['sb_orchestrator', 'sb_tools', 'sb_audit'])
      expect(sql).toContain(`CREATE DATABASE ${db}`);
    const migrate = compose.services['migrate'];
    expect(migrate?.depends_on?.['postgres']?.condition).toBe('service_healthy');
    expect(migrate?.build?.target).toBe('migrate');
    expect(Object.keys(migrate?.environment ?? {}).sort()).toEqual([
      'AUDIT_DATABASE_URL',
      'MCP_TOOLS_DATABASE_URL',
      'ORCHESTRATOR_DATABASE_URL',
    ]);
  });

  it('builds Prosody from its Dockerfile', () => {
    const prosody = compose.services['prosody'];
    expect(prosody?.build?.dockerfile).toBe('infra/docker/prosody.Dockerfile');
    expect(existsSync(join(ROOT, 'infra/docker/prosody.Dockerfile'))).toBe(true);
  });

  describe.each(SERVICES)('%s', (name) => {
    const svc = compose.services[name] ?? {};

    it('is built from the shared Dockerfile for this service and its port', () => {
      expect(svc.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(svc.build?.args?.['SERVICE']).toBe(name);
      expect(Number(svc.build?.args?.['PORT'])).toBe(PORTS[name]);
      expect(Number(svc.environment?.['PORT'])).toBe(PORTS[name]);
      expect(existsSync(join(ROOT, 'apps', name, 'src', 'main.ts'))).toBe(true);
    });

    it('runs only when SB_SERVICE_REPLICAS asks (the cell is the default shape)', () => {
      expect(svc.deploy?.replicas).toBe('${SB_SERVICE_REPLICAS:-0}');
    });

    it('has a health check on its own HTTP port', () => {
      const test = JSON.stringify(svc.healthcheck?.test ?? '');
      expect(test).toContain(`127.0.0.1:${PORTS[name]}/`);
    });

    it('starts only after its dependencies are healthy (migrations completed)', () => {
      const deps = svc.depends_on ?? {};
      expect(Object.keys(deps).sort()).toEqual([...NEEDS[name]].sort());
      for (const dep of NEEDS[name]) {
        expect(deps[dep]?.condition).toBe(
          dep === 'migrate' ? 'service_completed_successfully' : 'service_healthy',
        );
      }
    });

    it('drops all capabilities, forbids new privileges, reads only its own optional env file', () => {
      expect(svc.cap_drop).toEqual(['ALL']);
      expect(svc.security_opt).toContain('no-new-privileges:true');
      expect(svc.env_file).toEqual([{ path: `.env.${name}`, required: false }]);
    });

    it('connects to NATS as its own identity, with its own password only', () => {
      const env = svc.environment ?? {};
      expect(env['NATS_USER']).toBe(name);
      expect(env['NATS_PASSWORD']).toBe(
        compose.services['nats']?.environment?.[natsPasswordVariable(name)],
      );
      expect(Object.keys(env).filter((k) => k.startsWith('NATS_PASSWORD_'))).toEqual([]);
    });

    it('receives only the secrets its service reads', () => {
      const reads = Object.keys(SETTINGS.services[CHART_KEY[name]]?.secrets ?? {});
      const given = Object.keys(svc.environment ?? {}).filter(
        (k) => isSecretKey(k) || ['DATABASE_URL', 'REDIS_URL'].includes(k),
      );
      expect({ name, foreign: given.filter((k) => !reads.includes(k)) }).toEqual({
        name,
        foreign: [],
      });
    });

    it('reaches its dependencies by their compose names, not 127.0.0.1', () => {
      const env = svc.environment ?? {};
      expect(env['NATS_SERVERS']).toBe('nats://nats:4222');
      for (const [key, value] of Object.entries(env)) {
        if (/_URL$|_HOST$|NATS_SERVERS/.test(key))
          expect(String(value)).not.toMatch(/127\.0\.0\.1|localhost/);
      }
    });
  });

  describe('the cell (the default shape: the six services in one process)', () => {
    const cell = compose.services['cell'] ?? {};
    // what each service of the cell reads: the cell's own function, on the container's environment
    const viewOf = (name: ServiceName) => serviceEnv(name, cell.environment ?? {});

    it('runs by default, one replica, from the shared Dockerfile built with every service', () => {
      expect(cell.deploy?.replicas).toBe('${SB_CELL_REPLICAS:-1}');
      expect(cell.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(cell.build?.args?.['SERVICE']).toBe('cell');
      expect(cell.environment?.['SB_SERVICES']).toBe('all');
      // one cell per container unless SB_CELLS says otherwise: containers scale with SB_CELL_REPLICAS
      expect(cell.environment?.['SB_CELLS']).toBe('${SB_CELLS:-1}');
      expect(cell.env_file).toEqual([{ path: '.env.cell', required: false }]);
      expect(cell.cap_drop).toEqual(['ALL']);
    });

    it.each(SERVICES)(
      'gives %s the same settings as its own container, under its prefix',
      (name) => {
        const own = { ...compose.services[name]?.environment };
        // its replica name, the gateway's address (in this very process) and the process-wide CA
        // (the bridge's own XMPP_BRIDGE_CA_FILE carries it) are what differ
        for (const k of ['INSTANCE_ID', 'XMPP_BRIDGE_HTTP_TARGET', 'NODE_EXTRA_CA_CERTS'])
          delete own[k];
        const view = viewOf(name);
        expect({ name, view }).toEqual({ name, view: expect.objectContaining(own) });
        expect(view['NATS_USER']).toBe(name);
      },
    );

    it('keeps each database to its own service', () => {
      expect(viewOf('gateway')['DATABASE_URL']).toBeUndefined();
      expect(viewOf('audit')['DATABASE_URL']).toMatch(/sb_audit$/);
      expect(viewOf('xmpp-bridge')['XMPP_BRIDGE_HTTP_TARGET']).toBe('http://127.0.0.1:3000');
    });

    it('starts after what every service needs, and is healthy once every service is ready', () => {
      const needs = [...new Set(SERVICES.flatMap((n) => NEEDS[n]))].sort();
      expect(Object.keys(cell.depends_on ?? {}).sort()).toEqual(needs);
      const test = JSON.stringify(cell.healthcheck?.test ?? '');
      for (const name of SERVICES) expect(test).toContain(String(PORTS[name]));
      expect(test).toContain('/readiness');
      expect(cell.ports).toEqual(compose.services['gateway']?.ports);
      for (const name of SERVICES)
        for (const v of compose.services[name]?.volumes ?? []) expect(cell.volumes).toContain(v);
    });
  });

  it('publishes the gateway on 127.0.0.1 unless SB_GATEWAY_BIND says otherwise', () => {
    expect(compose.services['gateway']?.ports).toEqual([
      '${SB_GATEWAY_BIND:-127.0.0.1}:${SB_GATEWAY_PORT:-3000}:3000',
    ]);
    for (const svc of Object.values(compose.services))
      for (const port of svc.ports ?? [])
        expect(port).toMatch(/^(127\.0\.0\.1|\$\{SB_GATEWAY_BIND)/);
  });

  it('runs the same dependency images as the Helm chart', () => {
    const values = parse(readText('k8s/switchboard/values.yaml')) as Record<
      string,
      { image: { repository: string; tag: string } }
    >;
    const chart = (key: string) => `${values[key]?.image.repository}:${values[key]?.image.tag}`;
    expect({
      nats: compose.services['nats']?.image,
      postgres: compose.services['postgres']?.image,
      redis: compose.services['redis']?.image,
    }).toEqual({ nats: chart('nats'), postgres: chart('postgresql'), redis: chart('redis') });
  });

  it('gives the xmpp-bridge the CA that the prosody container generated', () => {
    const bridge = compose.services['xmpp-bridge'];
    expect(bridge?.environment?.['AZTM_HOST']).toBe('prosody');
    expect(bridge?.environment?.['NODE_EXTRA_CA_CERTS']).toBe('/prosody/certs/ca.crt');
    expect(bridge?.volumes).toContain('prosody-data:/prosody:ro');
  });

  it('declares every named volume it mounts', () => {
    const named = new Set(Object.keys(compose.volumes ?? {}));
    for (const svc of Object.values(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(named.has(source)).toBe(true);
      }
    }
  });
});
