import {
  elementScroll,
  observeElementOffset,
  observeElementRect,
  Virtualizer,
  type VirtualizerOptions,
} from '@tanstack/virtual-core';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';

type Options = VirtualizerOptions<HTMLDivElement, HTMLElement>;

/** A Virtualizer from @tanstack/virtual-core, re-rendering the component when its range changes. */
function useVirtualizer(
  options: Omit<Options, 'scrollToFn' | 'observeElementRect' | 'observeElementOffset'>,
): Virtualizer<HTMLDivElement, HTMLElement> {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const resolved: Options = {
    ...options,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    onChange: () => rerender(0),
  };
  const [instance] = useState(() => new Virtualizer<HTMLDivElement, HTMLElement>(resolved));
  instance.setOptions(resolved);
  useLayoutEffect(() => instance._didMount(), []);
  useLayoutEffect(() => instance._willUpdate());
  return instance;
}

export interface VirtualListProps<T> {
  items: readonly T[];
  keyOf: (item: T) => string;
  render: (item: T, index: number) => ComponentChildren;
  /** Names the list for assistive technology (the scroll area is focusable, to scroll by keyboard). */
  label: string;
  estimateSize?: number;
  /** Keep the newest item in view as items arrive, while the reader is at the end. */
  follow?: boolean;
  className?: string;
}

/**
 * A list that renders only the rows in view (plus a few), so a task of thousands of events scrolls
 * as smoothly as one of ten. Rows are measured as rendered, so cards may have any height.
 */
export function VirtualList<T>(p: VirtualListProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: p.items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => p.estimateSize ?? 88,
    getItemKey: (i) => (p.items[i] ? p.keyOf(p.items[i]) : i),
    overscan: 6,
    followOnAppend: p.follow ?? false,
  });
  const rows = virtualizer.getVirtualItems();
  return (
    <div
      ref={scrollRef}
      class={`vlist ${p.className ?? ''}`}
      tabIndex={0}
      role="region"
      aria-label={p.label}
    >
      {/* Preact sets these styles through the CSSOM, which the page's CSP allows. */}
      <div class="vlist-inner" style={{ height: `${virtualizer.getTotalSize()}px` }}>
        <ul
          class="vlist-rows"
          aria-label={p.label}
          style={{ transform: `translateY(${rows[0]?.start ?? 0}px)` }}
        >
          {rows.map((row) => {
            const item = p.items[row.index];
            if (item === undefined) return null;
            return (
              <li
                key={row.key as string}
                data-index={row.index}
                ref={(el) => virtualizer.measureElement(el)}
                aria-setsize={p.items.length}
                aria-posinset={row.index + 1}
              >
                {p.render(item, row.index)}
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
