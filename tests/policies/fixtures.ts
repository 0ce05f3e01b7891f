import type { PolicyInput } from "../helpers/policy";

/** Compliant objects, shaped as the library registers them; tests derive violating variants with `variant`. */

const labels = (name: string, component = "api") => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/instance": name,
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "platform",
  environment: "prod",
});

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export const selector = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name });

export const container = {
  name: "app",
  image: "ghcr.io/example-org/api:1.4.2",
  ports: [{ name: "http", containerPort: 8000 }],
  env: [
    { name: "DATABASE_HOST", value: "db.internal" },
    { name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
  ],
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  livenessProbe: { httpGet: { path: "/health", port: "http" } },
  readinessProbe: { httpGet: { path: "/health/ready", port: "http" } },
  securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
};

export function deployment(name = "api", edit?: (spec: any) => void): PolicyInput {
  const props: any = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "platform", labels: labels(name) },
    spec: {
      selector: { matchLabels: selector(name) },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          automountServiceAccountToken: false,
          serviceAccountName: name,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
          containers: [clone(container)],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector(name) } }],
        },
      },
    },
  };
  edit?.(props);
  return { type: "kubernetes:apps/v1:Deployment", name: `${name}-deployment`, stack: "prod", urn: `urn:pulumi:prod::platform::kubernetes:apps/v1:Deployment::${name}-deployment`, props };
}

export function cronJob(name = "main-db-backup", edit?: (props: any) => void): PolicyInput {
  const jobContainer = {
    name: "upload",
    image: "amazon/aws-cli:2.22.35",
    env: [
      { name: "ENGINE", value: "postgres" },
      { name: "RETENTION_DAYS", value: "30" },
    ],
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
  };
  const props: any = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: `${name}-backup`, namespace: "platform", labels: { ...labels(name, "backup"), "backup.platform/mode": "backup" } },
    spec: {
      schedule: "0 * * * *",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 900,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          activeDeadlineSeconds: 1800,
          backoffLimit: 1,
          ttlSecondsAfterFinished: 604800,
          template: {
            metadata: { labels: { ...labels(name, "backup"), "backup.platform/mode": "backup" } },
            spec: {
              automountServiceAccountToken: false,
              restartPolicy: "Never",
              securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
              initContainers: [{ ...clone(jobContainer), name: "dump", image: "postgres:16.4-bookworm" }],
              containers: [clone(jobContainer)],
              volumes: [{ name: "staging", emptyDir: { sizeLimit: "10Gi" } }],
            },
          },
        },
      },
    },
  };
  edit?.(props);
  return { type: "kubernetes:batch/v1:CronJob", name: `${name}-backup`, stack: "prod", urn: `urn:pulumi:prod::platform::kubernetes:batch/v1:CronJob::${name}-backup`, props };
}

export function k8s(kind: string, type: string, name: string, props: any, stack = "prod"): PolicyInput {
  return {
    type,
    name,
    stack,
    urn: `urn:pulumi:${stack}::platform::${type}::${name}`,
    props: { kind, ...props, metadata: { name, namespace: "platform", labels: labels(name), ...(props.metadata ?? {}) } },
  };
}

export function service(name = "api", type = "ClusterIP"): PolicyInput {
  return k8s("Service", "kubernetes:core/v1:Service", `${name}-service`, { metadata: { name, namespace: "platform", labels: labels(name) }, spec: { type, selector: selector(name), ports: [{ port: 8000 }] } });
}

export function cloud(type: string, name: string, props: any, options: { stack?: string; protect?: boolean; dependencies?: string[] } = {}): PolicyInput {
  const stack = options.stack ?? "prod";
  return {
    type,
    name,
    stack,
    protect: options.protect,
    urn: `urn:pulumi:${stack}::platform::${type}::${name}`,
    props: { tags: { Environment: stack, ManagedBy: "pulumi" }, ...props },
    dependencies: options.dependencies,
  };
}
