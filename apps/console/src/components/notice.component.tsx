import type { ComponentChildren } from 'preact';

/** An error the page reports: announced to screen readers as it appears. */
export function ErrorNotice({ error }: { error?: string | undefined }) {
  if (!error) return null;
  return (
    <p class="notice notice-error" role="alert">
      {error}
    </p>
  );
}

/** Every problem a form or the API found, one line each, announced as an error; `class` names it. */
export function ProblemsNotice({
  class: name,
  lines,
}: {
  class: string;
  lines: readonly string[];
}) {
  if (lines.length === 0) return null;
  return (
    <div class={`notice notice-error ${name}`} role="alert">
      <ul>
        {lines.map((l, i) => (
          <li key={i}>{l}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What an action the user took did, announced politely; `class` names the notice for the page's
 * styles and tests. Nothing to say renders nothing.
 */
export function OkNotice({
  class: name,
  children,
}: {
  class?: string | undefined;
  children?: ComponentChildren;
}) {
  if (!children) return null;
  return (
    <p class={name ? `notice notice-ok ${name}` : 'notice notice-ok'} role="status">
      {children}
    </p>
  );
}

/**
 * The outcome of comparing two runs, at the top of a page: ok when they match, a warning when not;
 * a word in bold (Identical., or `unlike` when they differ: Diverged., Different.), then the
 * sentence and its summary as the page's model words them. `class` names it.
 */
export function ComparedNotice(p: {
  class: string;
  identical: boolean;
  unlike: string;
  words: { text: string; summary?: string | undefined };
  children?: ComponentChildren;
}) {
  return (
    <div
      class={`notice ${p.class} ${p.identical ? 'notice-ok' : 'notice-warn'}`}
      role="status"
      data-identical={String(p.identical)}
    >
      <p>
        <strong>{p.identical ? 'Identical.' : p.unlike}</strong> {p.words.text}
      </p>
      {p.words.summary && <p class="muted">{p.words.summary}</p>}
      {p.children}
    </div>
  );
}
