// Prometheus conventions shared by the server's, the agent's and the collector's /metrics.

/**
 * prom-client's default process metrics include three gauges named like counters
 * (`promtool check metrics`: "non-counter metrics should not have _total suffix"). Each
 * registry removes them; their un-suffixed twins (nodejs_active_handles, …) stay.
 */
export const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;
