import DOMPurify from 'dompurify';
import { useMemo } from 'preact/hooks';
import { markdownToHtml } from '../model/markdown';

/** What Markdown becomes (markdownToHtml); anything else is dropped by the sanitiser. */
const ALLOWED_TAGS = [
  'a',
  'blockquote',
  'br',
  'code',
  'del',
  'em',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'li',
  'ol',
  'p',
  'pre',
  'strong',
  'table',
  'tbody',
  'td',
  'th',
  'thead',
  'tr',
  'ul',
];
const ALLOWED_ATTR = ['align', 'href', 'start', 'title'];

// A link of an answer opens in a tab of its own, which gets neither this window nor its address.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Markdown written by a model or an agent, rendered; sanitised, so its markup cannot act in the page. */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(
    () => DOMPurify.sanitize(markdownToHtml(text), { ALLOWED_TAGS, ALLOWED_ATTR }),
    [text],
  );
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
