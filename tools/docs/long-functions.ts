// The "Long functions" table of docs/architecture.md, from the code: every function marked
// `eslint-disable-next-line max-lines-per-function` under apps/*/src and libs/*/src, with its length
// counted as the lint counts it (every line from its first to its last, blank lines and comments too).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const START =
  '<!-- generated: long functions (tools/docs/long-functions.ts), from the max-lines-per-function exceptions -->';
const END = '<!-- end of generated long functions -->';
const DIRECTIVE = /eslint-disable-next-line max-lines-per-function\b/;

export interface LongFunction {
  file: string;
  name: string;
  lines: number;
}

type FunctionNode =
  ts.FunctionDeclaration | ts.MethodDeclaration | ts.FunctionExpression | ts.ArrowFunction;

function nameOf(node: FunctionNode): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name)
    return parent.name.getText();
  return '(anonymous)';
}

/** The functions of one source text that start on the line after a max-lines-per-function directive. */
export function longFunctionsIn(file: string, text: string): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const marked = new Set<number>();
  text.split('\n').forEach((line, i) => {
    if (DIRECTIVE.test(line)) marked.add(i + 1);
  });
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node)) &&
      marked.delete(lineOf(node.getStart(source)))
    ) {
      const lines = lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1;
      found.push({ file, name: nameOf(node), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !/\.(spec|int-spec)\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Every marked long function of the linted sources (apps/*\/src, libs/*\/src), by file then line. */
export function longFunctions(root: string): LongFunction[] {
  const dirs = ['apps', 'libs'].flatMap((top) =>
    readdirSync(join(root, top), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(root, top, e.name, 'src')),
  );
  return dirs
    .flatMap((dir) => {
      try {
        return sourceFiles(dir);
      } catch {
        return [];
      }
    })
    .sort()
    .flatMap((path) => longFunctionsIn(relative(root, path), readFileSync(path, 'utf8')));
}

/** The table between its markers. */
export function longFunctionsSection(functions: readonly LongFunction[]): string {
  return [
    START,
    '',
    '| file | function | lines |',
    '| ---- | -------- | ----- |',
    ...functions.map((f) => `| \`${f.file}\` | \`${f.name}\` | ${f.lines} |`),
    '',
    END,
  ].join('\n');
}

/** `doc` with its generated table replaced; throws when the markers are missing. */
export function withLongFunctions(doc: string, functions: readonly LongFunction[]): string {
  const from = doc.indexOf(START);
  const to = doc.indexOf(END);
  if (from < 0 || to < from)
    throw new Error(`docs/architecture.md: the long functions markers are missing`);
  return `${doc.slice(0, from)}${longFunctionsSection(functions)}${doc.slice(to + END.length)}`;
}
