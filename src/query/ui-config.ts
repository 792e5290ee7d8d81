/** /zipkin/config.json: the settings Lens (and our UI) read at start-up, with zipkin's field names. */
export interface UiConfig {
  environment: string;
  queryLimit: number;
  defaultLookback: number;
  searchEnabled: boolean;
  logsUrl?: string;
  supportUrl?: string;
  archivePostUrl?: string;
  archiveUrl?: string;
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

/** Empty URLs are omitted, as zipkin does, so the UI hides those links. */
export function uiConfigJson(c: UiSettings): UiConfig {
  const out: UiConfig = {
    environment: c.environment,
    queryLimit: c.queryLimit,
    defaultLookback: c.defaultLookback,
    searchEnabled: c.searchEnabled,
    dependency: { enabled: c.dependencyEnabled, lowErrorRate: c.lowErrorRate, highErrorRate: c.highErrorRate },
  };
  if (c.logsUrl) out.logsUrl = c.logsUrl;
  if (c.supportUrl) out.supportUrl = c.supportUrl;
  if (c.archivePostUrl) out.archivePostUrl = c.archivePostUrl;
  if (c.archiveUrl) out.archiveUrl = c.archiveUrl;
  return out;
}
