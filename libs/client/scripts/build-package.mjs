// The package of @switchboard/client, in dist/libs/client (after swc wrote its JavaScript there):
// declarations for every module, the wire types written out in full in src/wire.d.ts (so the package
// needs neither libs/contracts nor zod: `npm pack dist/libs/client` installs anywhere), its
// package.json, README and API reference. Then it proves the declarations stand alone: compiled on their own, with no
// path to the repository, they must have no error and name no workspace package.
//   node libs/client/scripts/build-package.mjs
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { comment, WireTypePrinter } from './wire-types.printer.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const lib = join(root, 'libs/client');
const out = join(root, 'dist/libs/client');
const src = join(lib, 'src');

function program() {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(lib, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) =>
        fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  return ts.createProgram(config.fileNames, {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    sourceMap: false,
    declarationMap: false,
  });
}

/** tsc's declarations of the client's own modules (not of the contracts it reads types from). */
function emitDeclarations(p) {
  const result = p.emit(undefined, (fileName, text, _bom, _onError, sources) => {
    const source = sources?.[0]?.fileName;
    if (!source || !source.startsWith(src) || source.endsWith('.spec.ts')) return;
    const target = join(out, 'src', relative(src, source).replace(/\.ts$/, '.d.ts'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  });
  const errors = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) fail(format(errors));
}

/** src/wire.d.ts: each exported alias of src/wire.ts, its type written out. */
function writeWireTypes(p) {
  const checker = p.getTypeChecker();
  const file = p.getSourceFile(join(src, 'wire.ts'));
  const aliases = file.statements.filter(
    (s) =>
      ts.isTypeAliasDeclaration(s) &&
      s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
  );
  const typed = aliases.map((a) => ({ alias: a, type: checker.getTypeAtLocation(a.name) }));
  // Inside another wire type, an object or union that is exported under a name is printed by name.
  const names = new Map();
  for (const { alias, type } of typed) {
    const nameable =
      type.flags & ts.TypeFlags.Object ||
      (type.flags & ts.TypeFlags.Union && !(type.flags & ts.TypeFlags.Boolean));
    if (nameable && !names.has(type)) names.set(type, alias.name.text);
  }
  const printer = new WireTypePrinter(checker, names);
  const blocks = typed.map(({ alias, type }) => {
    const doc = ts.displayPartsToString(
      checker.getSymbolAtLocation(alias.name).getDocumentationComment(checker),
    );
    return [
      ...(doc ? comment(doc, '') : []),
      `export type ${alias.name.text} = ${printer.print(type)};`,
    ].join('\n');
  });
  const header = [
    '// The wire types of the Switchboard gateway, written out from its contracts (libs/contracts) when',
    '// this package was built (scripts/build-package.mjs): what the routes take and answer.',
  ];
  writeFileSync(join(out, 'src/wire.d.ts'), `${header.join('\n')}\n\n${blocks.join('\n\n')}\n`);
}

/** The declarations compile alone (no repository paths, no @types) and name no workspace package. */
function checkStandalone() {
  const files = walk(join(out, 'src')).filter((f) => f.endsWith('.d.ts'));
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const bad = /from ['"](@switchboard\/(?!client)|zod)/.exec(text);
    if (bad) fail(`${relative(root, f)} still imports ${bad[1]}`);
  }
  const p = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    types: [],
    skipLibCheck: false,
  });
  const errors = ts.getPreEmitDiagnostics(p);
  if (errors.length) fail(`the published declarations do not compile alone:\n${format(errors)}`);
  return files.length;
}

function copyManifest() {
  const manifest = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const doc of ['README.md', 'API.md']) copyFileSync(join(lib, doc), join(out, doc));
}

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );

const format = (diagnostics) =>
  ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });

function fail(message) {
  console.error(`client package: ${message}`);
  process.exit(1);
}

const p = program();
emitDeclarations(p);
writeWireTypes(p);
copyManifest();
const count = checkStandalone();
console.log(`client package: dist/libs/client (${count} declaration files, standalone)`);
