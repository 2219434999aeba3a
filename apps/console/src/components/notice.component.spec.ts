import { describe, expect, it } from '@jest/globals';
import type { VNode } from 'preact';
import { ComparedNotice } from './notice.component';

type Props = Record<string, unknown> & { children: unknown };

/** The notice, its first line's bold word and sentence, and its summary line. */
function drawn(props: Parameters<typeof ComparedNotice>[0]) {
  const notice = ComparedNotice(props) as VNode<Props>;
  const [line, summary] = notice.props.children as [VNode<Props>, VNode<Props> | undefined];
  const [word, , text] = line.props.children as [VNode<Props>, string, string];
  return { notice, word: word.props.children, text, summary };
}

describe(ComparedNotice.name, () => {
  it('says Identical. as an ok notice when the runs match, with the sentence and its summary', () => {
    const d = drawn({
      class: 'verdict-notice',
      identical: true,
      unlike: 'Diverged.',
      words: { text: 'Every step as recorded.', summary: '3 steps' },
    });
    expect(d.notice.props).toMatchObject({
      class: 'notice verdict-notice notice-ok',
      role: 'status',
      'data-identical': 'true',
    });
    expect(d.word).toBe('Identical.');
    expect(d.text).toBe('Every step as recorded.');
    expect(d.summary?.props).toMatchObject({ class: 'muted', children: '3 steps' });
  });

  it('says its own word as a warning when they differ, and no summary line without one', () => {
    const d = drawn({
      class: 'diff-headline',
      identical: false,
      unlike: 'Different.',
      words: { text: 'They part at step 2.' },
    });
    expect(d.notice.props).toMatchObject({
      class: 'notice diff-headline notice-warn',
      'data-identical': 'false',
    });
    expect(d.word).toBe('Different.');
    expect(d.summary).toBeFalsy();
  });
});
