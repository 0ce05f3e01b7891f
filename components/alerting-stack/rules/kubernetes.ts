import type { RuleGroup } from "../../lib/alerts";

/**
 * Kubernetes workload alerts on kube-state-metrics series. They need no live scrape target of the workload
 * itself: a Deployment whose pods are all Pending has no endpoint to scrape (so `up` never turns 0), but
 * kube-state-metrics still reports it with zero available replicas.
 */
export function kubernetesRules(): RuleGroup[] {
  const deployment = "namespace, deployment";
  return [
    {
      name: "platform-kubernetes",
      rules: [
        {
          // A crash loop blinks: the container runs briefly once per back-off, and while it runs the
          // CrashLoopBackOff series is absent. max_over_time bridges the gaps (back-off is capped at 5 min),
          // and restarts counted over 15 min catch loops whose waiting state a scrape happens to miss.
          alert: "KubePodCrashLooping",
          expr:
            `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1` +
            ` or max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m])) >= 3`,
          for: "10m",
          severity: "warning",
          summary: "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
          description:
            "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} keeps restarting (CrashLoopBackOff seen in every 5-minute window for 10 minutes, or 3+ restarts in 15 minutes).",
        },
        {
          alert: "KubeDeploymentReplicasUnavailable",
          expr: `kube_deployment_status_replicas_unavailable > 0`,
          for: "10m",
          severity: "warning",
          family: "KubeDeploymentReplicas",
          runbook: "KubeDeploymentReplicasUnavailable",
          summary: "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has unavailable replicas",
          description:
            "{{ $value }} replica(s) of {{ $labels.namespace }}/{{ $labels.deployment }} have been unavailable for 10 minutes.",
        },
        {
          // The service is down for users: pods Pending (no capacity, unbound volume, image pull), crashing or
          // never ready. Scaled-to-zero deployments are excluded.
          alert: "KubeDeploymentUnavailable",
          expr:
            `max by (${deployment}) (kube_deployment_status_replicas_available) == 0` +
            ` and on (${deployment}) max by (${deployment}) (kube_deployment_spec_replicas) > 0`,
          for: "2m",
          severity: "critical",
          family: "KubeDeploymentReplicas",
          runbook: "KubeDeploymentUnavailable",
          summary: "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has no available replica",
          description:
            "No replica of {{ $labels.namespace }}/{{ $labels.deployment }} has been available for 2 minutes: the service is unreachable (pods Pending, crashing or not ready).",
        },
        {
          alert: "KubeHpaMaxedOut",
          expr: "kube_horizontalpodautoscaler_status_current_replicas >= kube_horizontalpodautoscaler_spec_max_replicas",
          for: "15m",
          severity: "warning",
          summary: "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} is at its maximum",
          description:
            "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at max replicas for 15 minutes; it cannot absorb more load.",
        },
        {
          alert: "KubeJobFailed",
          expr: "kube_job_status_failed > 0",
          for: "15m",
          severity: "warning",
          summary: "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed",
          description:
            "Job {{ $labels.namespace }}/{{ $labels.job_name }} has failed pods. Backups and migrations run as jobs: check it before the next run.",
        },
      ],
    },
  ];
}
