import { useSyncExternalStore } from 'react';
import { BASE } from './api/client';

/**
 * A tiny history router: the UI has four pages, so a router library would cost more bytes than it saves.
 * Paths are zipkin's: /zipkin/, /zipkin/traces/{id}, /zipkin/dependency, /zipkin/traceViewer.
 */
export type Route =
  | { page: 'search' }
  | { page: 'trace'; traceId: string }
  | { page: 'dependency' }
  | { page: 'traceViewer' }
  | { page: 'services' }
  | { page: 'compare' }
  | { page: 'notFound' };

const CHANGE = 'skein:navigate';

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/+/, '');
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'search' };
  if (parts[0] === 'traces' && parts[1]) return { page: 'trace', traceId: decodeURIComponent(parts[1]) };
  if (parts[0] === 'dependency' && parts.length === 1) return { page: 'dependency' };
  if (parts[0] === 'traceViewer' && parts.length === 1) return { page: 'traceViewer' };
  if (parts[0] === 'services' && parts.length === 1) return { page: 'services' };
  if (parts[0] === 'compare' && parts.length === 1) return { page: 'compare' };
  return { page: 'notFound' };
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(CHANGE, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(CHANGE, cb);
  };
}

const snapshot = (): string => window.location.pathname + window.location.search;

/** The current path + query string; re-renders on navigation. */
export function useLocationKey(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** An in-app URL built from encoded components: safe for href. */
export function traceHref(traceId: string): string {
  return `${BASE}traces/${encodeURIComponent(traceId)}`;
}

export const paths = {
  search: (query = ''): string => `${BASE}${query ? `?${query}` : ''}`,
  dependency: (): string => `${BASE}dependency`,
  traceViewer: (): string => `${BASE}traceViewer`,
  services: (): string => `${BASE}services`,
  compare: (): string => `${BASE}compare`,
};

/** Follow an in-app link without a page load, but let modified clicks open tabs as usual. */
export function onLinkClick(e: React.MouseEvent<HTMLAnchorElement>, to: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}
