// Writes a type out in full: what the contracts' zod schemas infer (`z.infer<typeof TaskView>`)
// becomes the plain structural type it stands for, with the properties' doc comments. The published
// declarations of @switchboard/client hold these, so they need neither the contracts nor zod.
import ts from 'typescript';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Prints types with `checker`. `names` maps a type to the exported name it may be printed as where it
 * occurs inside another (so `TaskView.steps` reads `StepView[]`-like names, not the whole shape again).
 */
export class WireTypePrinter {
  constructor(checker, names = new Map()) {
    this.checker = checker;
    this.names = names;
    this.stack = new Set();
    // A named union inside an optional property's `X | undefined` is a new union: known by its members.
    this.unionNames = new Map(
      [...names]
        .filter(([t]) => t.flags & ts.TypeFlags.Union)
        .map(([t, name]) => [membersKey(t.types), name]),
    );
  }

  /** The type written out (its own name is never used for itself, only for what it holds). */
  print(type, indent = '') {
    return this.type(type, indent, true);
  }

  type(type, indent, top = false) {
    const named = !top && this.names.get(type);
    if (named) return named;
    const f = type.flags;
    const F = ts.TypeFlags;
    if (f & F.Any) return 'any';
    if (f & F.Unknown) return 'unknown';
    if (f & F.String) return 'string';
    if (f & F.Number) return 'number';
    if (f & F.Boolean) return 'boolean';
    if (f & F.BigInt) return 'bigint';
    if (f & F.Null) return 'null';
    if (f & F.Undefined) return 'undefined';
    if (f & F.Void) return 'void';
    if (f & F.Never) return 'never';
    if (f & F.ESSymbol) return 'symbol';
    if (f & F.StringLiteral) return JSON.stringify(type.value);
    if (f & F.NumberLiteral) return String(type.value);
    if (f & (F.BooleanLiteral | F.BigIntLiteral | F.TemplateLiteral | F.StringMapping))
      return this.checker.typeToString(type);
    if (f & F.Union) return this.union(type, indent);
    if (f & F.Intersection) return this.intersection(type, indent);
    if (f & F.Object) return this.object(type, indent);
    throw new Error(`cannot write out the type ${this.checker.typeToString(type)}`);
  }

  union(type, indent) {
    let members = type.types;
    const nullish = members.filter((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null));
    const named =
      nullish.length > 0 &&
      this.unionNames.get(membersKey(members.filter((t) => !nullish.includes(t))));
    if (named) return [named, ...nullish.map((t) => this.type(t, indent))].join(' | ');
    const hasTrue = members.some(
      (t) => t.flags & ts.TypeFlags.BooleanLiteral && t.intrinsicName === 'true',
    );
    const hasFalse = members.some(
      (t) => t.flags & ts.TypeFlags.BooleanLiteral && t.intrinsicName === 'false',
    );
    const parts = [];
    if (hasTrue && hasFalse) {
      members = members.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
      parts.push('boolean');
    }
    for (const m of members) parts.push(this.type(m, indent));
    // `undefined` last, as people write it
    parts.sort((a, b) => (a === 'undefined') - (b === 'undefined'));
    return [...new Set(parts)].join(' | ');
  }

  intersection(type, indent) {
    // Object types that meet are one object (the shape zod's inference builds in parts).
    if (type.types.every((t) => t.flags & ts.TypeFlags.Object && !this.checker.isArrayType(t))) {
      return this.members(type, indent);
    }
    return type.types.map((t) => this.wrap(this.type(t, indent))).join(' & ');
  }

  object(type, indent) {
    const c = this.checker;
    if (c.isArrayType(type)) {
      const [element] = c.getTypeArguments(type);
      const readonly = type.symbol?.name === 'ReadonlyArray' ? 'readonly ' : '';
      return `${readonly}${this.wrap(this.type(element, indent))}[]`;
    }
    if (c.isTupleType(type)) {
      const flags = type.target.elementFlags;
      const items = c.getTypeArguments(type).map((t, i) => {
        const printed = this.type(t, indent);
        if (flags[i] & ts.ElementFlags.Rest) return `...${this.wrap(printed)}[]`;
        return flags[i] & ts.ElementFlags.Optional ? `${printed}?` : printed;
      });
      return `${type.target.readonly ? 'readonly ' : ''}[${items.join(', ')}]`;
    }
    if (type.getCallSignatures().length > 0) {
      throw new Error(`a function type in a wire type: ${c.typeToString(type)}`);
    }
    if (this.stack.has(type)) {
      throw new Error(`a recursive wire type: ${c.typeToString(type)} (export it under a name)`);
    }
    this.stack.add(type);
    try {
      return this.members(type, indent);
    } finally {
      this.stack.delete(type);
    }
  }

  members(type, indent) {
    const c = this.checker;
    const inner = `${indent}  `;
    const lines = [];
    for (const info of c.getIndexInfosOfType(type)) {
      const ro = info.isReadonly ? 'readonly ' : '';
      lines.push(
        `${inner}${ro}[key: ${this.type(info.keyType, inner)}]: ${this.type(info.type, inner)};`,
      );
    }
    for (const prop of c.getPropertiesOfType(type)) {
      const doc = ts.displayPartsToString(prop.getDocumentationComment(c)).trim();
      if (doc) lines.push(...comment(doc, inner));
      const name = IDENTIFIER.test(prop.name) ? prop.name : JSON.stringify(prop.name);
      const optional = prop.flags & ts.SymbolFlags.Optional ? '?' : '';
      const readonly = isReadonly(prop) ? 'readonly ' : '';
      const propType = c.getTypeOfSymbol(prop);
      lines.push(`${inner}${readonly}${name}${optional}: ${this.type(propType, inner)};`);
    }
    return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
  }

  /** Parentheses where a union, intersection or readonly array stands in an array or intersection. */
  wrap(printed) {
    return topLevel(printed) ? `(${printed})` : printed;
  }
}

/** A doc comment's lines at `indent`. */
export function comment(text, indent) {
  const lines = text.split('\n');
  if (lines.length === 1) return [`${indent}/** ${text.replaceAll('*/', '*\\/')} */`];
  return [
    `${indent}/**`,
    ...lines.map((l) => `${indent} * ${l.replaceAll('*/', '*\\/')}`.trimEnd()),
    `${indent} */`,
  ];
}

/** A union's members as a key (the checker gives each type one id). */
const membersKey = (types) =>
  types
    .map((t) => t.id)
    .sort((a, b) => a - b)
    .join(',');

/** Whether `printed` has a ` | `, ` & ` or `readonly ` outside its brackets and string literals. */
function topLevel(printed) {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < printed.length; i++) {
    const ch = printed[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if ('{[('.includes(ch)) depth++;
    else if ('}])'.includes(ch)) depth--;
    else if (depth === 0 && (printed.startsWith(' | ', i) || printed.startsWith(' & ', i)))
      return true;
  }
  return printed.startsWith('readonly ');
}

function isReadonly(prop) {
  return (prop.declarations ?? []).some(
    (d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly,
  );
}
