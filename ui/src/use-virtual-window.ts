import { useEffect, useState, type RefObject } from 'react';

/**
 * The slice [first, last) of a fixed-height list that is in (or just around) the scroll viewport, so
 * a list of thousands of rows keeps a few dozen in the DOM.
 */
export function useVirtualWindow(ref: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan = 10): [number, number] {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = (): void => setScrollTop(el.scrollTop);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    el.addEventListener('scroll', onScroll);
    return () => {
      ro.disconnect();
      el.removeEventListener('scroll', onScroll);
    };
  }, [ref]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, last];
}
