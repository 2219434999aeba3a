// infra/docker/*.Dockerfile and .dockerignore, checked statically: stages, the per-service dist entry
// point, non-root runtime, health check; the Prosody image uses the same instance.mjs as the tests.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readText, ROOT, SERVICES } from './support/deploy.js';

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

/** Instructions (continuation lines joined, comments dropped), each with the stage it belongs to. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const out: Instruction[] = [];
  let stage = '';
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] ?? '').toUpperCase();
    const args = (m[2] ?? '').trim();
    if (op === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    out.push({ op, args, stage });
  }
  return out;
}

describe('infra/docker/Dockerfile', () => {
  const steps = parseDockerfile(readText('infra/docker/Dockerfile'));
  const inStage = (stage: string) => steps.filter((s) => s.stage === stage);

  it('has the deps, build, prod-deps, migrate and runtime stages', () => {
    const stages = steps.filter((s) => s.op === 'FROM').map((s) => s.stage);
    expect(stages).toEqual(['deps', 'build', 'prod-deps', 'migrate', 'runtime']);
  });

  it('installs with npm ci from the lock file', () => {
    const deps = inStage('deps');
    expect(deps.some((s) => s.op === 'COPY' && s.args.includes('package-lock.json'))).toBe(true);
    expect(deps.some((s) => s.op === 'RUN' && /\bnpm ci\b/.test(s.args))).toBe(true);
  });

  it('builds the service named by ARG SERVICE (Prisma generate, then nx build) and checks its entry point', () => {
    const build = inStage('build');
    expect(build.some((s) => s.op === 'ARG' && s.args === 'SERVICE')).toBe(true);
    const run = build
      .filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join(' && ');
    expect(run).toContain('node tools/prisma/generate.mjs');
    expect(run).toMatch(/npx nx run "\$\{SERVICE\}:build"/);
    expect(run).toContain('dist/apps/${SERVICE}/src/main.js');
  });

  it('builds the cell image (SERVICE=cell) with every service its one process loads, and the console', () => {
    const run = inStage('build')
      .filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join(' && ');
    const cellBuild = /npx nx run-many -t build -p ([\w,-]+)/.exec(run)?.[1]?.split(',') ?? [];
    expect(cellBuild.sort()).toEqual(['cell', ...SERVICES].sort());
    // the cell loads dist/apps/<service>/src/<service>.service.js (apps/cell service-definitions.ts)
    expect(run).toContain('test -f "dist/apps/$s/src/$s.service.js"');
    for (const svc of SERVICES)
      expect(existsSync(join(ROOT, 'apps', svc, 'src', `${svc}.service.ts`))).toBe(true);
    expect(run).toMatch(
      /\[ "\$\{SERVICE\}" != cell \] \|\| test -f dist\/apps\/console\/index.html/,
    );
  });

  it.each(SERVICES)('the entry point of %s is what the Nx build emits', (svc) => {
    // nx.json's build: swc {projectRoot}/src -d dist  =>  apps/<svc>/src/main.ts -> dist/apps/<svc>/src/main.js
    const nx = JSON.parse(readText('nx.json')) as {
      targetDefaults: { build: { options: { commands: string[] } } };
    };
    expect(nx.targetDefaults.build.options.commands.join(' ')).toMatch(
      /swc \{projectRoot\}\/src -d dist/,
    );
    expect(existsSync(join(ROOT, 'apps', svc, 'src', 'main.ts'))).toBe(true);
    const project = JSON.parse(readFileSync(join(ROOT, 'apps', svc, 'project.json'), 'utf8')) as {
      name: string;
      targets: Record<string, unknown>;
    };
    expect(project.name).toBe(svc);
    expect(project.targets['build']).toBeDefined();
  });

  it('runs as the non-root node user, with production node_modules and the dist output only', () => {
    const runtime = inStage('runtime');
    expect(runtime.filter((s) => s.op === 'USER').map((s) => s.args)).toEqual(['node']);
    const copies = runtime.filter((s) => s.op === 'COPY').map((s) => s.args);
    expect(copies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/--from=prod-deps \/app\/node_modules/),
        expect.stringMatching(/--from=build \/app\/dist/),
      ]),
    );
    expect(
      runtime.some((s) => s.op === 'RUN' && s.args.includes('dist/apps/${SERVICE}/src/main.js')),
    ).toBe(true);
    expect(runtime.find((s) => s.op === 'CMD')?.args).toBe('["node", "/app/main.js"]');
  });

  it('puts the operator CLI, built like the services, on PATH as `switchboard` in every service image', () => {
    const build = inStage('build')
      .filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join(' && ');
    expect(build).toContain('npx nx run cli:build');
    expect(build).toContain('test -f dist/apps/cli/src/main.js');
    const project = JSON.parse(readText('apps/cli/project.json')) as {
      name: string;
      targets: Record<string, unknown>;
    };
    expect(project.name).toBe('cli');
    expect(project.targets['build']).toBeDefined();
    // the entry point the build emits (swc apps/cli/src -d dist), executable, linked onto PATH
    const main = readText('apps/cli/src/main.ts');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const runtime = inStage('runtime')
      .filter((s) => s.op === 'RUN')
      .map((s) => s.args)
      .join(' && ');
    expect(runtime).toContain('chmod 0755 /app/dist/apps/cli/src/main.js');
    expect(runtime).toContain('ln -s /app/dist/apps/cli/src/main.js /usr/local/bin/switchboard');
    // and `npx switchboard` in a checkout runs the same file, through the launcher npm links
    // (apps/cli/bin/switchboard.js, on the project's own Node; apps/cli/test/launcher.int-spec.ts)
    const pkg = JSON.parse(readText('package.json')) as {
      bin?: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.bin).toBeUndefined();
    expect(pkg.devDependencies['@switchboard/cli']).toBe('file:apps/cli');
    const cli = JSON.parse(readText('apps/cli/package.json')) as { bin: Record<string, string> };
    expect(cli.bin).toEqual({ switchboard: 'bin/switchboard.js' });
    expect(readText('apps/cli/bin/switchboard.js')).toContain("'dist/apps/cli/src/main.js'");
    expect(pkg.scripts['tail']).toContain('apps/cli/src/main.ts tail');
  });

  it('has a HEALTHCHECK on /health at the service port', () => {
    const hc = inStage('runtime').find((s) => s.op === 'HEALTHCHECK');
    expect(hc?.args).toContain('/health');
    expect(hc?.args).toContain('process.env.PORT');
  });

  it('gives the migrate stage the migration runner, schemas and a non-root user', () => {
    const migrate = inStage('migrate');
    const copied = migrate.filter((s) => s.op === 'COPY').map((s) => s.args.split(/\s+/)[0]);
    expect(copied).toEqual(expect.arrayContaining(['tools/prisma', 'apps', 'infra/migrate.sh']));
    expect(migrate.find((s) => s.op === 'USER')?.args).toBe('node');
    expect(migrate.find((s) => s.op === 'CMD')?.args).toBe('["sh", "infra/migrate.sh"]');
    for (const p of ['tools/prisma/migrate.mjs', 'infra/migrate.sh'])
      expect(existsSync(join(ROOT, p))).toBe(true);
  });
});

describe('infra/docker/prosody.Dockerfile', () => {
  const steps = parseDockerfile(readText('infra/docker/prosody.Dockerfile'));

  it('installs prosody and openssl and runs instance.mjs in the foreground as a non-root user', () => {
    expect(
      steps.some((s) => s.op === 'RUN' && /apt-get install .*prosody.*openssl/.test(s.args)),
    ).toBe(true);
    expect(steps.find((s) => s.op === 'USER')?.args).toMatch(/^(prosody|[1-9]\d*)(:\d+)?$/);
    const entry = steps.find((s) => s.op === 'ENTRYPOINT')?.args ?? '';
    expect(entry).toContain('infra/prosody/instance.mjs');
    expect(entry).toContain('"run"');
    expect(steps.some((s) => s.op === 'HEALTHCHECK')).toBe(true);
  });

  it('copies files that exist', () => {
    const copy =
      steps
        .find((s) => s.op === 'COPY')
        ?.args.split(/\s+/)
        .slice(0, -1) ?? [];
    expect(copy.length).toBeGreaterThan(0);
    for (const f of copy) expect(existsSync(join(ROOT, f))).toBe(true);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, outputs, runtime state and secrets out of the build context', () => {
    const lines = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of [
      'node_modules',
      'dist',
      '.run',
      '.env',
      '.git',
      'tools/bin',
      '**/src/generated',
    ]) {
      expect(lines).toContain(entry);
    }
  });
});
