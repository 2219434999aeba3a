import { describe, expect, it } from '@jest/globals';
import { markdownToHtml } from './markdown';

describe(markdownToHtml.name, () => {
  it('renders headings (below the page’s own), lists, emphasis and links', () => {
    const html = markdownToHtml(
      '# Summary\n\n## Findings\n\n- one\n- **two**\n\n[docs](https://x.test/a)',
    );
    expect(html).toContain('<h3>Summary</h3>');
    expect(html).toContain('<h4>Findings</h4>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<strong>two</strong>');
    expect(html).toContain('<a href="https://x.test/a">docs</a>');
  });

  it('shows HTML in the text as text, block and inline', () => {
    const html = markdownToHtml(
      '<script>alert(1)</script>\n\nSee <img src=x onerror="alert(2)"> here',
    );
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('makes an image a link to it, so nothing loads from where the text points', () => {
    const html = markdownToHtml('![a chart](https://x.test/c.png) ![](https://x.test/d.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('<a href="https://x.test/c.png">a chart</a>');
    expect(html).toContain('<a href="https://x.test/d.png">https://x.test/d.png</a>');
  });

  it('writes task-list boxes as characters, not form controls', () => {
    const html = markdownToHtml('- [x] done\n- [ ] to do');
    expect(html).not.toContain('<input');
    expect(html).toContain('☑ done');
  });
});
