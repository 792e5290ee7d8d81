import { BASE, getJson } from './client';

/** /zipkin/config.json, with zipkin's field names. */
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

/** zipkin's defaults, used when config.json cannot be read so the UI still works. */
export const DEFAULT_CONFIG: UiConfig = {
  environment: '',
  queryLimit: 10,
  defaultLookback: 900_000,
  searchEnabled: true,
  dependency: { enabled: true, lowErrorRate: 0.5, highErrorRate: 0.75 },
};

export async function loadUiConfig(): Promise<UiConfig> {
  try {
    const c = await getJson<Partial<UiConfig>>(`${BASE}config.json`);
    return { ...DEFAULT_CONFIG, ...c, dependency: { ...DEFAULT_CONFIG.dependency, ...c.dependency } };
  } catch {
    return DEFAULT_CONFIG;
  }
}

/**
 * Builds a link from an operator-configured template (logsUrl, archiveUrl), replacing {traceId} with the
 * encoded id. Only http(s) results are returned, so no configured or injected value can become a
 * javascript: URL.
 */
export function templateUrl(template: string | undefined, traceId: string): string | undefined {
  if (!template) return undefined;
  const filled = template.replace(/\{traceId\}/g, encodeURIComponent(traceId));
  try {
    const u = new URL(filled, window.location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
