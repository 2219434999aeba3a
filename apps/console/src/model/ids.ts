/** A random id (crypto.randomUUID needs a secure context; a console on plain http has none). */
export function newId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The error envelope inside an AG-UI client error ("HTTP 400: {…}"), as one line. */
export function agUiErrorLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const at = text.indexOf('{');
  if (at >= 0) {
    try {
      const body = JSON.parse(text.slice(at)) as { code?: string; message?: string };
      if (body.message) return `${body.message}${body.code ? ` (${body.code})` : ''}`;
    } catch {
      // not an envelope
    }
  }
  return text;
}
