import type { ComponentChildren } from 'preact';

/**
 * A table with a caption (for screen readers only, unless `captionShown`) and one header row of
 * column headings; a falsy column (a heading only some users see) is left out.
 */
export function DataTable(props: {
  class: string;
  caption: ComponentChildren;
  captionShown?: boolean;
  columns: readonly ComponentChildren[];
  /** While its rows are being replaced. */
  busy?: boolean | undefined;
  children: ComponentChildren;
}) {
  return (
    <table class={props.class} aria-busy={props.busy}>
      <caption class={props.captionShown ? undefined : 'sr-only'}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns
            .filter((c) => c !== false && c !== null && c !== undefined)
            .map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
