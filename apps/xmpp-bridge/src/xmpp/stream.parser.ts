// A streaming XML parser for XMPP streams, replacing @xmpp/xml's ltx-based one, which (3.1.2) rescans
// the rest of the chunk at every character of a text node that has no '<' in it (quadratic: 6–29 ms
// per 64 KB stanza) and decodes each TCP chunk as UTF-8 on its own (a character split between two
// chunks is corrupted). Here every byte is looked at a bounded number of times, and bytes go
// through one StringDecoder. It builds the same ltx Elements and emits the events @xmpp/connection
// expects: `start` (stream header), `element` (each top-level stanza), `end`, `error`.
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { Element } from '@xmpp/xml';

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ATTRIBUTE = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function legalCodePoint(n: number): boolean {
  return (
    n === 0x9 ||
    n === 0xa ||
    n === 0xd ||
    (n >= 0x20 && n <= 0xd7ff) ||
    (n >= 0xe000 && n <= 0xfffd) ||
    (n >= 0x10000 && n <= 0x10ffff)
  );
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XMLError';
  }
}

/** Decodes the five XML entities and character references; refuses illegal characters. */
export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  if (!text.includes('&#')) {
    // Native replaceAll is ~4× faster than one regex pass on entity-dense text (JSON from Prosody has
    // every quote as &quot;); &amp; goes last so that "&amp;lt;" stays "&lt;".
    let r = text;
    if (r.includes('&quot;')) r = r.replaceAll('&quot;', '"');
    if (r.includes('&apos;')) r = r.replaceAll('&apos;', "'");
    if (r.includes('&lt;')) r = r.replaceAll('&lt;', '<');
    if (r.includes('&gt;')) r = r.replaceAll('&gt;', '>');
    if (r.includes('&amp;')) r = r.replaceAll('&amp;', '&');
    return r;
  }
  return text.replace(ENTITY, (_m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? '';
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!legalCodePoint(code)) throw new XmlError(`illegal XML character reference &${ref};`);
    return String.fromCodePoint(code);
  });
}

export interface StreamParserOptions {
  /** Largest stanza accepted, in characters; a bigger one is an error (the stream is then closed). */
  maxStanzaChars?: number;
}

export class XmppStreamParser extends EventEmitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly maxStanzaChars: number;
  private buf = '';
  /** Raw (still escaped) text pieces of the current text node. */
  private text: string[] = [];
  private root: Element | null = null;
  private cursor: Element | null = null;
  private stanzaChars = 0;
  /** Where the scan of an unfinished tag resumes (relative to its '<'), and whether inside quotes. */
  private tagScan = 1;
  private tagQuote = '';
  private failed = false;

  constructor(options: StreamParserOptions = {}) {
    super();
    this.maxStanzaChars = options.maxStanzaChars ?? 16 * 1024 * 1024;
  }

  write(data: Buffer | string): void {
    if (this.failed) return;
    const chunk = typeof data === 'string' ? data : this.decoder.write(data);
    try {
      this.parse(chunk);
    } catch (e) {
      this.failed = true;
      this.emit('error', e instanceof XmlError ? e : new XmlError((e as Error).message));
    }
  }

  end(data?: Buffer | string): void {
    if (data) this.write(data);
  }

  private parse(chunk: string): void {
    const buf = this.buf + chunk;
    let pos = 0;
    const n = buf.length;
    while (pos < n) {
      if (buf.charCodeAt(pos) !== 60 /* < */) {
        const lt = buf.indexOf('<', pos);
        const end = lt === -1 ? n : lt;
        this.text.push(buf.slice(pos, end));
        this.count(end - pos);
        pos = end;
        continue;
      }
      if (n - pos < 2) break;
      const next = buf.charCodeAt(pos + 1);
      if (next === 33 /* ! */) {
        if (n - pos < 9) break;
        if (buf.startsWith('<![CDATA[', pos)) {
          const close = buf.indexOf(']]>', pos + 9);
          if (close === -1) break;
          // CDATA is literal text: escape it so the later unescape restores it unchanged.
          this.text.push(buf.slice(pos + 9, close).replace(/&/g, '&amp;'));
          pos = close + 3;
          continue;
        }
        if (buf.startsWith('<!--', pos)) {
          const close = buf.indexOf('-->', pos + 4);
          if (close === -1) break;
          pos = close + 3;
          continue;
        }
        throw new XmlError('DTDs and other declarations are not allowed in XMPP');
      }
      if (next === 63 /* ? */) {
        const close = buf.indexOf('?>', pos + 2);
        if (close === -1) break;
        pos = close + 2;
        continue;
      }
      const close = this.findTagEnd(buf, pos);
      if (close === -1) break;
      this.flushText();
      this.count(close + 1 - pos);
      this.onTag(buf.slice(pos + 1, close));
      pos = close + 1;
    }
    this.buf = pos === 0 ? buf : buf.slice(pos);
    if (this.buf.length > this.maxStanzaChars)
      throw new XmlError(`markup larger than ${this.maxStanzaChars} characters`);
  }

  /** Counts characters of the stanza being read (text and nested tags). */
  private count(chars: number): void {
    if (!this.cursor || this.cursor === this.root) return;
    this.stanzaChars += chars;
    if (this.stanzaChars > this.maxStanzaChars)
      throw new XmlError(`stanza larger than ${this.maxStanzaChars} characters`);
  }

  /** Index of the '>' closing the tag that starts at `start`, or -1 (the scan resumes later). */
  private findTagEnd(buf: string, start: number): number {
    let i = start + this.tagScan;
    let quote = this.tagQuote;
    for (; i < buf.length; i++) {
      const c = buf[i];
      if (quote) {
        const q = buf.indexOf(quote, i);
        if (q === -1) {
          i = buf.length;
          break;
        }
        i = q;
        quote = '';
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        this.tagScan = 1;
        this.tagQuote = '';
        return i;
      }
    }
    this.tagScan = i - start;
    this.tagQuote = quote;
    return -1;
  }

  private flushText(): void {
    if (this.text.length === 0) return;
    const raw = this.text.join('');
    this.text = [];
    // Whitespace between stanzas (keepalives) belongs to no element.
    if (!this.cursor || this.cursor === this.root) return;
    this.cursor.children.push(unescapeXml(raw));
  }

  private onTag(tag: string): void {
    if (tag[0] === '/') {
      this.onEnd(tag.slice(1).trim());
      return;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const space = body.search(/\s/);
    const name = space === -1 ? body : body.slice(0, space);
    if (!name) throw new XmlError('empty tag name');
    const attrs: Record<string, string> = {};
    if (space !== -1) {
      ATTRIBUTE.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = ATTRIBUTE.exec(body)) !== null)
        attrs[m[1] ?? ''] = unescapeXml(m[2] ?? m[3] ?? '');
    }
    const element = new Element(name, attrs);
    if (!this.root) {
      this.root = element;
      this.cursor = element;
      this.emit('start', element);
      return;
    }
    const parent = this.cursor ?? this.root;
    if (parent === this.root) {
      element.parent = this.root;
      this.stanzaChars = tag.length;
    } else {
      parent.cnode(element);
    }
    this.cursor = element;
    if (selfClosing) this.onEnd(name);
  }

  private onEnd(name: string): void {
    const cursor = this.cursor;
    if (!cursor) throw new XmlError(`unexpected </${name}>`);
    if (cursor.name !== name) throw new XmlError(`${cursor.name} must be closed before ${name}`);
    if (cursor === this.root) {
      this.emit('end', this.root);
      return;
    }
    if (cursor.parent === this.root) {
      this.cursor = this.root;
      this.stanzaChars = 0;
      this.emit('element', cursor);
      return;
    }
    this.cursor = cursor.parent;
  }
}
