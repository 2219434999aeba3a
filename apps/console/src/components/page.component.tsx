import type { ComponentChildren } from 'preact';

/**
 * A view's outer frame: a section named by its one h1. The h1 takes focus (tabIndex -1) because the
 * app moves focus to it after navigating, as a page load would put it.
 */
export function Page({
  id,
  title,
  children,
}: {
  /** Names the heading `<id>-title`, which the e2e tests and the section's label point at. */
  id: string;
  title: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}
