// The API reference of @switchboard/client (libs/client/API.md), generated from its types with the
// TypeScript compiler: every export of src/index.ts with its doc comment; a class's public members
// with their signatures; an interface's fields; the wire types with the contract type each one is.
//   node libs/client/scripts/api-reference.mjs [--check]   (--check: fail when API.md is not current)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const lib = join(root, 'libs/client');
const target = join(lib, 'API.md');
const FLAGS =
  ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

const config = ts.getParsedCommandLineOfConfigFile(join(lib, 'tsconfig.json'), {}, ts.sys);
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();
const index = program.getSourceFile(join(lib, 'src/index.ts'));

const docOf = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
const oneLine = (text) => text.replace(/\s*\n\s*/g, ' ');
const resolved = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
const isPublic = (d) =>
  !(ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) &&
  !(d.name && ts.isPrivateIdentifier(d.name)) &&
  !ts.getJSDocTags(d).some((t) => t.tagName.text === 'internal');

function signatures(member, decl) {
  const type = checker.getTypeOfSymbolAtLocation(member, decl);
  return type.getCallSignatures().map((s) => checker.signatureToString(s, decl, FLAGS));
}

function classSection(name, symbol, decl) {
  const lines = [`### class \`${name}\``, '', docOf(symbol)];
  const ctor = decl.members.find(ts.isConstructorDeclaration);
  if (ctor) {
    const params = ctor.parameters.filter(
      (p) => !p.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword),
    );
    const publicOnes = params.filter((p) => isPublic(p));
    if (!ts.getJSDocTags(ctor).some((t) => t.tagName.text === 'internal') && publicOnes.length)
      lines.push('', `- \`new ${name}(${publicOnes.map((p) => p.getText()).join(', ')})\``);
  }
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  for (const member of checker.getPropertiesOfType(type)) {
    const d = member.valueDeclaration ?? member.declarations?.[0];
    const own =
      d &&
      (d.parent === decl ||
        (ts.isParameterPropertyDeclaration(d, d.parent) && d.parent.parent === decl));
    if (!own || !isPublic(d)) continue;
    const doc = oneLine(docOf(member));
    // A computed name (`[Symbol.asyncIterator]`) as written, not the compiler's internal one.
    const shown = ts.getNameOfDeclaration(d)?.getText() ?? member.name;
    if (ts.isMethodDeclaration(d)) {
      for (const sig of signatures(member, d))
        lines.push(`- \`${shown}${sig}\`${doc ? ` — ${doc}` : ''}`);
    } else {
      const t = checker.typeToString(checker.getTypeOfSymbolAtLocation(member, d), d, FLAGS);
      const ro = ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
      const accessor = ts.isGetAccessorDeclaration(d) ? 'get ' : '';
      lines.push(`- \`${ro}${accessor}${shown}: ${t}\`${doc ? ` — ${doc}` : ''}`);
    }
  }
  return lines;
}

function interfaceSection(name, symbol, decl) {
  const lines = [`### interface \`${name}\``, '', docOf(symbol)];
  for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
    const d = member.declarations?.[0];
    const optional = member.flags & ts.SymbolFlags.Optional ? '?' : '';
    const t = d?.type
      ? d.type.getText()
      : checker.typeToString(checker.getTypeOfSymbolAtLocation(member, decl), decl, FLAGS);
    const doc = oneLine(docOf(member));
    lines.push(
      `- \`${member.name}${optional}: ${t.replace(/\s+/g, ' ')}\`${doc ? ` — ${doc}` : ''}`,
    );
  }
  return lines;
}

function functionSection(name, symbol, decl) {
  const sigs = signatures(symbol, decl).map((s) => `- \`${name}${s}\``);
  return [`### function \`${name}\``, '', docOf(symbol), '', ...sigs];
}

function typeSection(name, symbol, decl) {
  const params = decl.typeParameters
    ? `<${decl.typeParameters.map((p) => p.getText()).join(', ')}>`
    : '';
  return [
    `### type \`${name}${params}\``,
    '',
    docOf(symbol),
    '',
    '```ts',
    `type ${name}${params} = ${decl.type.getText()};`,
    '```',
  ];
}

function render() {
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index));
  const wire = [];
  const sections = [];
  for (const exported of exports) {
    const symbol = resolved(exported);
    const decl = symbol.declarations?.[0];
    if (!decl) continue;
    const name = exported.name;
    const file = relative(join(lib, 'src'), decl.getSourceFile().fileName);
    if (file === 'wire.ts') {
      wire.push(`| \`${name}\` | \`${decl.type.getText()}\` | ${oneLine(docOf(symbol))} |`);
      continue;
    }
    const lines = ts.isClassDeclaration(decl)
      ? classSection(name, symbol, decl)
      : ts.isInterfaceDeclaration(decl)
        ? interfaceSection(name, symbol, decl)
        : ts.isFunctionDeclaration(decl)
          ? functionSection(name, symbol, decl)
          : ts.isTypeAliasDeclaration(decl)
            ? typeSection(name, symbol, decl)
            : [`### \`${name}\``, '', docOf(symbol)];
    sections.push({
      file,
      text: lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n'),
    });
  }
  sections.sort((a, b) => a.file.localeCompare(b.file));
  const byFile = [];
  let last;
  for (const s of sections) {
    if (s.file !== last) byFile.push(`## \`src/${s.file}\``);
    last = s.file;
    byFile.push(s.text);
  }
  return [
    '# @switchboard/client: API reference',
    '',
    "Generated from the package's types by `libs/client/scripts/api-reference.mjs` (the TypeScript",
    'compiler; `npm run docs:generate` writes it, `npm run docs:check` fails when it is not current).',
    'How to use it: [README.md](README.md).',
    '',
    ...byFile.flatMap((b) => [b, '']),
    '## Wire types',
    '',
    "What the routes take and answer: the contracts' types (`libs/contracts`), written out in full in the",
    "package's `src/wire.d.ts`.",
    '',
    '| type | in the contracts | what |',
    '| ---- | ---------------- | ---- |',
    ...wire.map((w) => w.replaceAll('\n', ' ')),
    '',
  ].join('\n');
}

// As the repository's prettier writes it: the formatting check covers this file too.
const text = await format(render(), {
  ...(await resolveConfig(target)),
  parser: 'markdown',
  filepath: target,
});
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(
      'libs/client/API.md is out of date: run `node libs/client/scripts/api-reference.mjs`',
    );
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${relative(root, target)}`);
}
