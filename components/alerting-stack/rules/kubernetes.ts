import type { RuleGroup } from "../../lib/alerts";

/** Kubernetes workload alerts on kube-state-metrics series. */
export function kubernetesRules(): RuleGroup[] {
  return [
    {
      name: "platform-kubernetes",
      rules: [
        {
          alert: "KubePodCrashLooping",
          expr: `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) == 1`,
          for: "10m",
          severity: "warning",
          summary: "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
          description:
            "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 10 minutes.",
        },
        {
          alert: "KubeDeploymentReplicasUnavailable",
          expr: "kube_deployment_status_replicas_unavailable > 0",
          for: "10m",
          severity: "warning",
          summary: "Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has unavailable replicas",
          description:
            "{{ $value }} replica(s) of {{ $labels.namespace }}/{{ $labels.deployment }} have been unavailable for 10 minutes.",
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
