/**
 * The simulated e-commerce system the trace generator runs: which services exist, on which hosts, and
 * how they are instrumented. Remote-only systems (databases, broker) are never instrumented; they only
 * appear as remote endpoints of their clients, as in real deployments.
 */
export interface Host {
  ipv4: string;
  /** How far this host's clock is off, in microseconds; added to every timestamp it records. */
  skewMicros: number;
}

export interface ServiceDef {
  name: string;
  port: number;
  hosts: readonly Host[];
  /**
   * true: B3-style, the server reuses its client's span id (shared=true). false: OpenTelemetry/W3C
   * style, the server span is a new child of the client span.
   */
  sharesSpanIds: boolean;
}

export interface RemoteDef {
  serviceName: string;
  ipv4: string;
  port: number;
}

const host = (ipv4: string, skewMicros = 0): Host => ({ ipv4, skewMicros });

export const SERVICES = {
  frontend: {
    name: 'frontend',
    port: 8080,
    hosts: [host('10.0.1.10'), host('10.0.1.11')],
    sharesSpanIds: true,
  },
  apiGateway: {
    name: 'api-gateway',
    port: 8000,
    hosts: [host('10.0.2.10'), host('10.0.2.11')],
    sharesSpanIds: true,
  },
  auth: { name: 'auth', port: 9001, hosts: [host('10.0.3.10')], sharesSpanIds: true },
  catalog: {
    name: 'catalog',
    port: 9002,
    hosts: [host('10.0.4.10'), host('10.0.4.11'), host('10.0.4.12')],
    sharesSpanIds: true,
  },
  cart: { name: 'cart', port: 9003, hosts: [host('10.0.5.10')], sharesSpanIds: true },
  checkout: { name: 'checkout', port: 9004, hosts: [host('10.0.6.10')], sharesSpanIds: true },
  // One payment host runs 25ms ahead: its server spans appear to end after their client does.
  payment: {
    name: 'payment',
    port: 9005,
    hosts: [host('10.0.7.10'), host('10.0.7.11', 25_000)],
    sharesSpanIds: true,
  },
  // One inventory host runs 40ms behind: its server spans appear to start before their client.
  inventory: {
    name: 'inventory',
    port: 9006,
    hosts: [host('10.0.8.10'), host('10.0.8.11', -40_000)],
    sharesSpanIds: true,
  },
  shipping: { name: 'shipping', port: 9007, hosts: [host('10.0.9.10')], sharesSpanIds: false },
  email: { name: 'email', port: 9008, hosts: [host('10.0.10.10')], sharesSpanIds: false },
  recommendation: { name: 'recommendation', port: 9009, hosts: [host('10.0.11.10')], sharesSpanIds: false },
  search: {
    name: 'search',
    port: 9010,
    hosts: [host('10.0.12.10'), host('10.0.12.11')],
    sharesSpanIds: false,
  },
} as const satisfies Record<string, ServiceDef>;

export const REMOTES = {
  mysql: { serviceName: 'mysql', ipv4: '10.0.100.5', port: 3306 },
  redis: { serviceName: 'redis', ipv4: '10.0.100.6', port: 6379 },
  kafka: { serviceName: 'kafka', ipv4: '10.0.100.7', port: 9092 },
} as const satisfies Record<string, RemoteDef>;

/** Every instrumented service name, for tests and the demo's summary. */
export const SERVICE_NAMES: readonly string[] = Object.values(SERVICES).map((s) => s.name);
