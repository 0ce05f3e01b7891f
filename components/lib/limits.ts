/**
 * Upper bounds on counts and durations. They are far above what the platform is sized for but catch a slip of
 * the keyboard (replicas 100000, retention 10^9 days) while planning instead of as a quota error, a bill, or a
 * cluster that tries to schedule a million pods. Each schema `.describe()` states the bound it enforces.
 */
export const LIMITS = {
  /** Fixed replicas of a service (Deployment). */
  replicas: 100,
  /** HorizontalPodAutoscaler maxReplicas. */
  autoscalingMax: 100,
  /** Nodes of the cluster's node group / node pool (min, desired, max). */
  nodes: 100,
  /** Ingress controller / gateway replicas. */
  ingressReplicas: 20,
  /** Days any backup, snapshot or log is kept (10 years). */
  retentionDays: 3650,
  /** Recovery point/time objectives, in minutes (7 days). */
  objectiveMinutes: 10080,
  /** Prometheus local retention, in days (longer history belongs in remote storage). */
  prometheusRetentionDays: 365,
  /** Prometheus volume size, in GiB. */
  prometheusStorageGi: 10240,
} as const;
