// The request body of the XMPP benchmark, shared by every side that sends one.

/** `size` characters of JSON-ish text with the characters real bodies have (quotes are escaped by
 * Prosody on the wire). */
export function body(size: number): string {
  const unit = '{"k":"value",';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}
