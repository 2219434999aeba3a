import { useMemo } from 'preact/hooks';
import { type AgentReply, answerParts } from '../model/answer';
import { Markdown } from './markdown.component';

/**
 * A task's answer, its Markdown rendered: each delegation's reply it quotes in a section of its own,
 * labelled by the agent, and the rest of the answer around them.
 */
export function AnswerView({
  answer,
  replies,
}: {
  answer: string;
  replies: readonly AgentReply[];
}) {
  const parts = useMemo(() => answerParts(answer, replies), [answer, replies]);
  return (
    <div class="replies">
      {parts.map((p, i) =>
        p.agent ? (
          <section key={i} class="reply" aria-label={`Reply of ${p.agent}`}>
            <p class="reply-agent">{p.agent}</p>
            <Markdown text={p.text} />
          </section>
        ) : (
          <Markdown key={i} text={p.text} />
        ),
      )}
    </div>
  );
}
