/** A service-to-service edge aggregated over traces (zipkin DependencyLink). */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
  /** Omitted from JSON when zero, as zipkin does. */
  errorCount?: number;
}
