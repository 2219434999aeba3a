// SASLprep (RFC 4013) for passwords: non-ASCII spaces become U+0020, "commonly mapped to nothing"
// characters disappear, then NFKC; prohibited output (controls, private use, non-characters,
// surrogates) is refused. Unassigned code points are allowed (stored strings, RFC 4013 §2.5).

const NON_ASCII_SPACE = new Set([0xa0, 0x1680, 0x202f, 0x205f, 0x3000]);
const MAPPED_TO_NOTHING = new Set([
  0xad, 0x34f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff,
]);

function isNonAsciiSpace(cp: number): boolean {
  return NON_ASCII_SPACE.has(cp) || (cp >= 0x2000 && cp <= 0x200a);
}

function isMappedToNothing(cp: number): boolean {
  return MAPPED_TO_NOTHING.has(cp) || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/** RFC 3454 C.2.1/C.2.2 controls, C.3 private use, C.4 non-characters, C.5 surrogates, C.8/C.9 (subset). */
function isProhibited(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x6dd ||
    cp === 0x70f ||
    cp === 0x180e ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2063) ||
    (cp >= 0x206a && cp <= 0x206f) ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    (cp >= 0xe000 && cp <= 0xf8ff) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp >= 0xfff9 && cp <= 0xffff) ||
    (cp & 0xfffe) === 0xfffe ||
    cp >= 0xf0000
  );
}

export function saslprep(input: string): string {
  let mapped = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isMappedToNothing(cp)) continue;
    mapped += isNonAsciiSpace(cp) ? ' ' : ch;
  }
  const normalized = mapped.normalize('NFKC');
  for (const ch of normalized) {
    if (isProhibited(ch.codePointAt(0) ?? 0))
      throw new Error('the password contains a character SASLprep prohibits');
  }
  return normalized;
}
