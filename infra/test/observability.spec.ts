// The alert rules and the Grafana dashboard shipped in k8s/switchboard/files: they load (a rule file
// Prometheus' own promtool accepts, valid PromQL by Prometheus' own grammar, a dashboard Grafana can
// import). That every series they query is one the services really export, and that a real Prometheus
// scraping the services evaluates every rule and query, is checked in apps/e2e/test/telemetry.e2e-spec.ts.
import { describe, expect, it } from '@jest/globals';
import { parser } from '@prometheus-io/lezer-promql';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readText, ROOT } from './support/deploy.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
}

/** Where a PromQL expression does not parse (Grafana's interval variables taken as 5m). */
function promqlErrors(expr: string): number[] {
  const q = expr.replace(/\$\{?__(rate_interval|interval|range)\}?/g, '5m');
  const errors: number[] = [];
  parser.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
    },
  });
  return errors;
}

const rules = parseYaml(readText('k8s/switchboard/files/prometheus-rules.yaml')) as {
  groups: { name: string; rules: Rule[] }[];
};
const dashboard = JSON.parse(readText('k8s/switchboard/files/grafana-dashboard.json')) as {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};

describe('the Prometheus alert rules', () => {
  const all = rules.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));

  it('form a rule file: named groups of alerts with a severity and a summary, each named once', () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    for (const r of all) {
      expect({ alert: r.alert, severity: r.labels?.['severity'] }).toEqual({
        alert: expect.stringMatching(/^Switchboard[A-Za-z]+$/),
        severity: expect.stringMatching(/^(critical|warning|info)$/),
      });
      expect(r.annotations?.['summary']).toEqual(expect.any(String));
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
    }
    const names = all.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('load in Prometheus: promtool checks the file as Prometheus reads it', () => {
    const promtool = join(ROOT, 'tools/bin/prometheus/promtool');
    if (!existsSync(promtool))
      throw new Error(`promtool is not at ${promtool}: run \`bash infra/setup.sh --no-start\``);
    const out = execFileSync(
      promtool,
      ['check', 'rules', join(ROOT, 'k8s/switchboard/files/prometheus-rules.yaml')],
      { encoding: 'utf8' },
    );
    expect(out).toContain(`SUCCESS: ${all.length} rules found`);
  });

  it.each(all.map((r) => [r.alert, r.expr] as const))('%s is valid PromQL', (_alert, expr) => {
    expect(promqlErrors(expr)).toEqual([]);
  });
});

describe('the Grafana dashboard', () => {
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('is importable: a uid, unique panel ids, panels on the 24-column grid that do not overlap', () => {
    expect(dashboard.uid).toBe('switchboard-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const cell = `${x},${y}`;
          expect({ panel: p.title, overlaps: cells.has(cell) }).toEqual({
            panel: p.title,
            overlaps: false,
          });
          cells.add(cell);
        }
    }
  });

  it('reads a Prometheus data source chosen on import (no fixed uid)', () => {
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    for (const p of panels) expect(p.datasource?.uid).toBe('${datasource}');
  });

  it.each(panels.map((p) => [p.title, p] as const))('"%s" queries valid PromQL', (_t, panel) => {
    expect(panel.targets?.length).toBeGreaterThan(0);
    for (const t of panel.targets ?? []) expect(promqlErrors(t.expr)).toEqual([]);
  });
});
