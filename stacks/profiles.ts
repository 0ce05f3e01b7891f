import { DEFAULT_GROUPING, type ResolvedGrouping } from "../components/alerting-stack/grouping";
import type { Environment } from "../components/lib/platform";

/**
 * Documented defaults per environment, taken from the seed playbooks. Every value can be overridden in
 * `Pulumi.<stack>.yaml`; the config reference in the README lists the keys.
 *
 * Where playbooks disagree, one default is chosen and the source is named here.
 */
export interface Profile {
  app: {
    /** Fixed replicas when autoscaling is off. Staging runs 1 (Paimon playbook). */
    replicas: number;
    /** Prod: HPA 3–10 at CPU 70 % / memory 80 % (Potato Chat playbook). */
    autoscaling?: { min: number; max: number; cpuPercent: number; memoryPercent: number };
    /** PodDisruptionBudget on Kubernetes. */
    podDisruptionBudget: boolean;
    /** Spread replicas across zones (prod). */
    zoneSpread: boolean;
    /** Requests/limits when a service gives none (Paimon API: 250m/512Mi → 500m/1Gi). */
    resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  };
  database: {
    /** Size class; each target maps it to an instance type. */
    size: "small" | "medium" | "large";
    storageGb: number;
    highAvailability: boolean;
    /** Provider-native backup retention (RDS: staging 7 days, prod 30 days). */
    backupRetentionDays: number;
    deletionProtection: boolean;
    /** Point-in-time recovery / WAL or log backups. */
    pointInTimeRecovery: boolean;
    /** Daily, UTC (hh:mm-hh:mm). Must not overlap the maintenance window. */
    backupWindow: string;
    maintenanceWindow: string;
  };
  backup: {
    /** Full dump at 02:00 daily (QCAT, payment platform, Paimon playbooks). */
    schedule: string;
    /** Monthly restore test (QCAT playbook). */
    verifySchedule: string;
    timeZone: string;
    retentionDays: number;
    /** Recovery objectives (Paimon playbook: RPO < 1 h, RTO < 4 h). */
    rpoMinutes: number;
    rtoMinutes: number;
    /** Redis RDB snapshots: hourly, kept 7 days (Paimon playbook). */
    redisSchedule: string;
    redisRetentionDays: number;
  };
  alerting: {
    /** Prometheus TSDB retention (QCAT: 200h). */
    retention: string;
    storageSize: string;
    replicas: number;
    /** May alerts page (PagerDuty)? Only prod: a staging outage must not wake the prod on-call. */
    paging: boolean;
    /**
     * Alertmanager group_by and timings per route. Every environment takes DEFAULT_GROUPING (its comment names the
     * source of each figure: seed 000 for critical 0s/15m and warning 1h, Alertmanager's own defaults elsewhere):
     * a staging alert deserves the same grouping, it just goes to different receivers.
     */
    grouping: ResolvedGrouping;
  };
  /** Log pipeline (platform:logging): days the installed Loki keeps logs. */
  logging: { retentionDays: number };
  /** Trace pipeline (platform:tracing): how long Jaeger keeps spans, share of ordinary traces kept. */
  tracing: { retentionHours: number; samplingPercent: number };
  network: {
    zones: number;
    /** One NAT gateway for the VPC (cheap) or one per zone (no cross-zone dependency). */
    natPerZone: boolean;
  };
}

/** What every environment shares; each profile below states only how it differs. */
const shared = {
  app: {
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
    replicas: 1,
    podDisruptionBudget: false,
    zoneSpread: false,
  },
  database: {
    size: "small",
    storageGb: 20,
    highAvailability: false,
    deletionProtection: false,
    // UTC; the backup window ends before the weekly maintenance window starts.
    backupWindow: "18:00-19:00",
    maintenanceWindow: "sun:20:00-sun:21:00",
  },
  backup: {
    schedule: "0 2 * * *",
    verifySchedule: "0 4 1 * *",
    timeZone: "Etc/UTC",
    rtoMinutes: 240,
    redisSchedule: "0 * * * *",
    redisRetentionDays: 7,
  },
  network: { zones: 2 },
} as const;

export const PROFILES: Record<Environment, Profile> = {
  dev: {
    app: { ...shared.app },
    database: { ...shared.database, backupRetentionDays: 1, pointInTimeRecovery: false },
    // Dev data is disposable: a daily dump is enough (RPO one day).
    backup: { ...shared.backup, retentionDays: 7, rpoMinutes: 1440 },
    alerting: { retention: "200h", storageSize: "10Gi", replicas: 1, paging: false, grouping: DEFAULT_GROUPING },
    logging: { retentionDays: 3 },
    tracing: { retentionHours: 24, samplingPercent: 100 },
    network: { ...shared.network, natPerZone: false },
  },
  staging: {
    app: { ...shared.app },
    database: { ...shared.database, backupRetentionDays: 7, pointInTimeRecovery: true },
    backup: { ...shared.backup, retentionDays: 7, rpoMinutes: 1440 },
    alerting: { retention: "7d", storageSize: "20Gi", replicas: 1, paging: false, grouping: DEFAULT_GROUPING },
    logging: { retentionDays: 7 },
    tracing: { retentionHours: 72, samplingPercent: 50 },
    network: { ...shared.network, natPerZone: false },
  },
  prod: {
    app: {
      ...shared.app,
      replicas: 3,
      autoscaling: { min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 },
      podDisruptionBudget: true,
      zoneSpread: true,
    },
    database: {
      ...shared.database,
      size: "large",
      storageGb: 100,
      highAvailability: true,
      backupRetentionDays: 30,
      deletionProtection: true,
      pointInTimeRecovery: true,
    },
    backup: { ...shared.backup, retentionDays: 30, rpoMinutes: 60 },
    alerting: { retention: "30d", storageSize: "100Gi", replicas: 2, paging: true, grouping: DEFAULT_GROUPING },
    // Potato Chat keeps application logs 30 days; traces are for recent incidents (payment platform: 7 days).
    logging: { retentionDays: 30 },
    tracing: { retentionHours: 168, samplingPercent: 10 },
    network: { ...shared.network, natPerZone: true },
  },
};

export function profileFor(environment: Environment): Profile {
  return PROFILES[environment];
}
