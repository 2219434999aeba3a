import { Marked, type Tokens } from 'marked';

/**
 * Headings of an answer start at level 3: the page has its h1 and the answer sits under an h2, so an
 * agent's "# Summary" must not compete with them for the document's outline.
 */
const HEADING_SHIFT = 2;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // HTML inside an answer is shown as the text it is: an agent's reply never adds elements to the page.
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block ? `<p>${escapeHtml(text)}</p>\n` : escapeHtml(text);
    },
    heading({ tokens, depth }: Tokens.Heading): string {
      const level = Math.min(depth + HEADING_SHIFT, 6);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    // An image would load from wherever the agent points (and the page's policy refuses other hosts):
    // it becomes a link to the image instead, named by its description.
    image({ href, title, text, tokens, raw }: Tokens.Image): string {
      const label = text.trim() ? tokens : [{ type: 'text', raw: href, text: href } as Tokens.Text];
      return this.link({ type: 'link', raw, href, title, text: text || href, tokens: label });
    },
    // Task-list boxes as characters: a disabled form control without a label helps nobody.
    checkbox({ checked }: Tokens.Checkbox): string {
      return checked ? '☑ ' : '☐ ';
    },
  },
});

/**
 * An answer's Markdown (GitHub's flavour) as HTML, with any HTML of the source escaped. The result
 * still goes through the sanitiser before it reaches the page (links' targets, anything missed).
 */
export function markdownToHtml(text: string): string {
  return marked.parse(text, { async: false });
}
