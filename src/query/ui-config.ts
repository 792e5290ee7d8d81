/** /zipkin/config.json: the settings Lens (and our UI) read at start-up, with zipkin's field names. */
export interface UiConfig {
  environment: string;
  queryLimit: number;
  defaultLookback: number;
  searchEnabled: boolean;
  logsUrl: string | null;
  supportUrl: string | null;
  archivePostUrl: string | null;
  archiveUrl: string | null;
  dependency: { enabled: boolean; lowErrorRate: number; highErrorRate: number };
}

/** The ZIPKIN_UI_* settings, as the server's config holds them. */
export interface UiSettings {
  environment: string;
  queryLimit: number;
  defaultLookback: number;
  searchEnabled: boolean;
  dependencyEnabled: boolean;
  lowErrorRate: number;
  highErrorRate: number;
  logsUrl: string;
  supportUrl: string;
  archiveUrl: string;
  archivePostUrl: string;
}

/**
 * zipkin-server 3.x (ZipkinUiConfiguration) writes every URL field, null when unset, in this order; Lens
 * and our UI hide a link whose URL is null.
 */
export function uiConfigJson(c: UiSettings): UiConfig {
  return {
    environment: c.environment,
    queryLimit: c.queryLimit,
    defaultLookback: c.defaultLookback,
    searchEnabled: c.searchEnabled,
    logsUrl: c.logsUrl || null,
    supportUrl: c.supportUrl || null,
    archivePostUrl: c.archivePostUrl || null,
    archiveUrl: c.archiveUrl || null,
    dependency: { enabled: c.dependencyEnabled, lowErrorRate: c.lowErrorRate, highErrorRate: c.highErrorRate },
  };
}

/** zipkin: config.json may be cached for 10 minutes (ZipkinUiConfiguration serves it with max-age=600). */
export const UI_CONFIG_CACHE_CONTROL = 'max-age=600';
