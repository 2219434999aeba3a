/**
 * A webhook URL as audit records and logs show it: scheme, host, port and path. A query string is
 * replaced by `?…`: receivers sometimes put a token there, and a token is not for the trail.
 */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
