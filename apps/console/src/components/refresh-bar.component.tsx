import type { ComponentChildren } from 'preact';
import type { Loaded } from './load.hook';

/**
 * A list's bar: any controls of its own (`children`), then how many it shows — announced, and
 * "Loading…" until its first load ends — and a Refresh button.
 */
export function RefreshBar(props: {
  loaded: Loaded<unknown>;
  /** Names the count for the page's tests. */
  countClass: string;
  count: string;
  children?: ComponentChildren;
}) {
  return (
    <p class="list-bar">
      {props.children}
      <span role="status" class={props.countClass}>
        {props.loaded.loading && !props.loaded.data ? 'Loading…' : props.count}
      </span>
      <button type="button" class="secondary" onClick={props.loaded.reload}>
        Refresh
      </button>
    </p>
  );
}
