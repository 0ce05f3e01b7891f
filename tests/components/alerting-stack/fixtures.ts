import type { PlatformContext, Environment, Target } from "../../../components/lib/platform";
import type { AlertingStackArgs } from "../../../components/alerting-stack";
import type { MonitoredService } from "../../../components/lib/contracts";
import type { MonitoringBundle } from "../../../components/lib/monitoring";

export const RUNBOOK_BASE = "https://example.test/runbooks/";

export function ctxFor(environment: Environment, target: Target, overrides: Partial<PlatformContext> = {}): PlatformContext {
  return {
    project: "platform",
    environment,
    target,
    cloud: target === "docker" ? "none" : "aws",
    namespace: "platform",
    providers: {},
    monitoringLabels: { "platform.example/monitoring": "true" },
    tags: {},
    runbookBaseUrl: RUNBOOK_BASE,
    ...(target === "docker" ? { dockerNetworks: { frontend: "net-frontend", backend: "net-backend" } } : {}),
    ...overrides,
  };
}

export const SERVICES: MonitoredService[] = [
  {
    name: "payment-gateway",
    namespace: "platform",
    kind: "api",
    job: "payment-gateway",
    objectives: { availabilityPercent: 99.9, latency: { thresholdSeconds: 1, percent: 99 } },
  },
  { name: "web", namespace: "platform", kind: "web", job: "web" },
  // Seed 002's API: prefixed metric names, paged on at P99.
  {
    name: "paimon-api",
    namespace: "platform",
    kind: "api",
    job: "paimon-api",
    http: { requestsTotal: "paimon_http_requests_total", durationHistogram: "paimon_http_request_duration_seconds", latencyQuantile: 0.99 },
    objectives: { availabilityPercent: 99.9, latency: { thresholdSeconds: 1, percent: 99 } },
  },
  // A Go service instrumented with promhttp: the status code is in the `code` label.
  { name: "ledger", namespace: "platform", kind: "api", job: "ledger", http: { requestsTotal: "ledger_http_requests_total", statusLabel: "code" } },
];

export const DB_BUNDLE: MonitoringBundle = {
  ruleGroups: [
    {
      name: "postgres-orders",
      rules: [
        {
          alert: "PostgresDown",
          expr: 'pg_up{instance="orders"} == 0',
          for: "1m",
          severity: "critical",
          summary: "orders database is down",
          description: "pg_up is 0",
        },
      ],
    },
  ],
  dashboards: [{ uid: "postgres-orders", title: "Postgres orders", folder: "Databases", model: { title: "Postgres orders" } }],
  scrapeTargets: [{ job: "postgres-orders", targets: ["orders-exporter:9187"] }],
};

/** The seeds' business alerts expressed as config. */
export const BUSINESS_RULES: NonNullable<AlertingStackArgs["customRules"]> = [
  { alert: "HighRiskLevel", expr: "paimon_risk_level >= 3", for: "5m", severity: "critical", summary: "High risk level", description: "Risk level is {{ $value }}" },
  { alert: "LowLiquidity", expr: "paimon_l1_ratio < 0.08", for: "5m", severity: "warning", summary: "L1 liquidity is low", description: "L1 ratio is {{ $value }}" },
  { alert: "EventProcessingLag", expr: "paimon_event_queue_size > 1000", for: "5m", severity: "warning", summary: "Event queue lag", description: "Queue size is {{ $value }}" },
  {
    alert: "PaymentSuccessRateLow",
    expr: '100 * sum(rate(payment_requests_total{result="success"}[5m])) / sum(rate(payment_requests_total[5m])) < 95',
    for: "5m",
    severity: "warning",
    summary: "Payment success rate below 95%",
    description: "Success rate is {{ $value }}%",
  },
];

/** All five receiver types; `secret` values are test placeholders (strings, not real credentials). */
export function fullArgs(overrides: Partial<AlertingStackArgs> = {}): AlertingStackArgs {
  return {
    receivers: [
      { name: "pager", type: "pagerduty", secret: "pd-routing-key" },
      { name: "critical-chat", type: "slack", channel: "#critical-alerts", secret: "https://hooks.slack.test/critical" },
      { name: "monitoring-chat", type: "slack", channel: "#monitoring", secret: "https://hooks.slack.test/monitoring" },
      { name: "oncall-email", type: "email", to: "oncall@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587", authUsername: "apikey", secret: "smtp-password" },
      { name: "ops-digest", type: "email", to: "ops@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587", authUsername: "apikey", secret: "smtp-password" },
      { name: "wecom", type: "wechat", corpId: "ww123", agentId: "1000002", toParty: "2", secret: "wechat-app-secret" },
      { name: "deadman", type: "webhook", url: "https://deadman.example.com/ping", secret: "dms-token" },
    ],
    routes: {
      critical: ["pager", "critical-chat", "oncall-email"],
      warning: ["monitoring-chat", "wecom"],
      info: ["ops-digest"],
      watchdog: "deadman",
    },
    customRules: BUSINESS_RULES,
    services: SERVICES,
    monitoring: { databases: DB_BUNDLE },
    ...overrides,
  };
}

/**
 * Seed 000 (GreenLink)'s alertmanager.yml grouping as config: root group_by/10s/10s/1h, critical at once and every
 * 15 minutes, warning hourly. Its `cluster` label is our `environment` (the external label every alert carries).
 */
export const GREENLINK_GROUPING: NonNullable<AlertingStackArgs["grouping"]> = {
  groupBy: ["alertname", "environment", "service"],
  groupWait: "10s",
  groupInterval: "10s",
  repeatInterval: "1h",
  critical: { groupWait: "0s", repeatInterval: "15m" },
  warning: { repeatInterval: "1h" },
};
