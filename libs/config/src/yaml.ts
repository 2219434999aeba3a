import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let yaml: Yaml | undefined;

/**
 * `yaml`'s parse, the package loaded at the first file read: 73 modules every process loaded at start,
 * though only one given a tenants or tools file in YAML reads any (its CommonJS build, the one an
 * import of it loads in Node too).
 */
export function parseYaml(text: string, options?: { prettyErrors?: boolean }): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as Yaml;
  return yaml.parse(text, options);
}
