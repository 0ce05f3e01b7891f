import { workloadPolicies } from "../../policies/rules/k8s-workloads";
import { UNKNOWN, violations } from "../helpers/policy";
import { describeChecks, messages } from "./cases";
import { cronJob, deployment, k8s, service } from "./fixtures";
import { imagePinned, noSecretEnv, minReplicas, requests } from "../../policies/rules/k8s-workloads";

const main = (p: any) => p.spec.template.spec.containers[0];
const initOfCron = (p: any) => p.spec.jobTemplate.spec.template.spec.initContainers[0];
/** A DaemonSet with `component` as its app.kubernetes.io/component label, root with a hostPath mount (a log shipper). */
const daemonSet = (name: string, component: string) => {
  const d = deployment(name, (p) => {
    p.kind = "DaemonSet";
    p.metadata.labels["app.kubernetes.io/component"] = p.spec.template.metadata.labels["app.kubernetes.io/component"] = component;
    main(p).securityContext.runAsUser = 0;
    p.spec.template.spec.securityContext = { ...p.spec.template.spec.securityContext, runAsNonRoot: false, runAsUser: 0 };
    p.spec.template.spec.volumes.push({ name: "varlog", hostPath: { path: "/var/log" } });
  });
  const type = "kubernetes:apps/v1:DaemonSet";
  return { ...d, type, urn: d.urn!.replace("kubernetes:apps/v1:Deployment", type) };
};

describeChecks(workloadPolicies, {
  "k8s-image-pinned": {
    good: [deployment(), deployment("digest", (p) => (main(p).image = `ghcr.io/x/app@sha256:${"a".repeat(64)}`))],
    bad: [deployment("api", (p) => (main(p).image = "ghcr.io/x/app:latest")), cronJob("b", (p) => (initOfCron(p).image = "postgres"))],
    expect: ['container "app" image "ghcr.io/x/app:latest" is not pinned', 'init container "dump" image "postgres" is not pinned'],
  },
  "k8s-resource-requests": {
    good: [deployment(), cronJob()],
    bad: deployment("api", (p) => delete main(p).resources.requests.cpu),
    expect: ['container "app" has no cpu request'],
  },
  "k8s-memory-limit": {
    good: cronJob(),
    bad: cronJob("b", (p) => delete initOfCron(p).resources.limits),
    expect: ['init container "dump" has no memory limit'],
  },
  "k8s-ephemeral-storage-bounded": {
    good: [deployment(), deployment("limited", (p) => {
      p.spec.template.spec.volumes[0].emptyDir = {};
      main(p).resources.limits["ephemeral-storage"] = "1Gi";
    }), deployment("ram", (p) => (p.spec.template.spec.volumes[0].emptyDir = { medium: "Memory" }))],
    bad: cronJob("b", (p) => (p.spec.jobTemplate.spec.template.spec.volumes[0].emptyDir = {})),
    expect: ['emptyDir volume "staging" has no sizeLimit'],
  },
  "k8s-liveness-probe": {
    good: [deployment(), cronJob()],
    bad: deployment("worker", (p) => delete main(p).livenessProbe),
    expect: ['container "app" has no liveness probe'],
  },
  "k8s-probes-distinct": {
    good: deployment(),
    bad: deployment("api", (p) => (main(p).readinessProbe = { httpGet: { path: "/health", port: "http" }, periodSeconds: 5 })),
    expect: ['container "app" uses the same check for liveness and readiness'],
  },
  "k8s-no-probes-in-jobs": {
    good: [cronJob(), deployment()],
    bad: cronJob("b", (p) => (p.spec.jobTemplate.spec.template.spec.containers[0].livenessProbe = { exec: { command: ["true"] } })),
    expect: ['container "upload" of a job has livenessProbe'],
  },
  "k8s-run-as-non-root": {
    // The log shipper reads root-owned container logs: a node agent may run as UID 0, nothing else may.
    good: [deployment(), cronJob(), daemonSet("fluent-bit", "log-shipper")],
    bad: [
      daemonSet("agent", "metrics"),
      deployment("root", (p) => (main(p).securityContext.runAsUser = 0)),
      cronJob("b", (p) => {
        p.spec.jobTemplate.spec.template.spec.securityContext = {};
        delete initOfCron(p).securityContext.runAsNonRoot;
      }),
    ],
    expect: ['container "app" runs as UID 0', 'init container "dump" does not set runAsNonRoot: true'],
  },
  "k8s-no-privileged": {
    good: deployment(),
    bad: deployment("api", (p) => (main(p).securityContext.privileged = true)),
    expect: ['container "app" is privileged'],
  },
  "k8s-no-privilege-escalation": {
    good: cronJob(),
    bad: cronJob("b", (p) => delete initOfCron(p).securityContext.allowPrivilegeEscalation),
    expect: ['init container "dump" does not set allowPrivilegeEscalation: false'],
  },
  "k8s-capabilities-dropped": {
    good: [deployment(), deployment("bind", (p) => (main(p).securityContext.capabilities.add = ["NET_BIND_SERVICE"]))],
    bad: [deployment("api", (p) => (main(p).securityContext.capabilities = {})), deployment("admin", (p) => (main(p).securityContext.capabilities.add = ["SYS_ADMIN"]))],
    expect: ['container "app" does not drop ALL capabilities', 'container "app" adds capabilities SYS_ADMIN'],
  },
  "k8s-read-only-root-filesystem": {
    good: deployment(),
    bad: deployment("api", (p) => (main(p).securityContext.readOnlyRootFilesystem = false)),
    expect: ['container "app" has a writable root filesystem'],
  },
  "k8s-seccomp-runtime-default": {
    good: deployment(),
    bad: [deployment("api", (p) => delete p.spec.template.spec.securityContext.seccompProfile), deployment("u", (p) => (main(p).securityContext.seccompProfile = { type: "Unconfined" }))],
    expect: ['container "app" has seccomp profile unset', 'container "app" has seccomp profile Unconfined'],
  },
  "k8s-no-host-namespaces": {
    good: deployment(),
    bad: deployment("api", (p) => Object.assign(p.spec.template.spec, { hostNetwork: true, hostPID: true })),
    expect: ["pod sets hostNetwork: true", "pod sets hostPID: true"],
  },
  "k8s-no-host-path": {
    good: [deployment(), daemonSet("fluent-bit", "log-shipper")],
    // A Deployment labelled like the log shipper is no node agent; a DaemonSet with another component is not listed.
    bad: [
      deployment("api", (p) => p.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } })),
      deployment("fake", (p) => {
        p.spec.template.metadata.labels["app.kubernetes.io/component"] = "log-shipper";
        p.spec.template.spec.volumes.push({ name: "root", hostPath: { path: "/" } });
      }),
      daemonSet("agent", "metrics"),
    ],
    expect: ['volume "docker" mounts host path /var/run/docker.sock', 'volume "root" mounts host path /', 'volume "varlog" mounts host path /var/log'],
  },
  "k8s-no-host-ports": {
    good: deployment(),
    bad: deployment("api", (p) => (main(p).ports[0].hostPort = 8000)),
    expect: ['container "app" binds host port(s) 8000'],
  },
  "k8s-service-account-token": {
    good: [deployment(), { ...deployment("operator", (p) => delete p.spec.template.spec.automountServiceAccountToken) }],
    bad: deployment("api", (p) => (p.spec.template.spec.automountServiceAccountToken = true)),
    expect: ['pod mounts a token of service account "api"'],
    config: { allowedServiceAccounts: ["operator"] },
  },
  "k8s-no-secret-env-literals": {
    good: [
      deployment(),
      cronJob(),
      // Settings about credentials, not credentials (the seeds' FastAPI and NextAuth apps set these).
      deployment("settings", (p) =>
        main(p).env.push(
          { name: "ACCESS_TOKEN_EXPIRE_MINUTES", value: "30" },
          { name: "NEXTAUTH_URL", value: "https://app.example.com" },
          { name: "AUTH_ENABLED", value: "true" },
        ),
      ),
    ],
    bad: [
      deployment("api", (p) => main(p).env.push({ name: "JWT_SECRET", value: "hunter2" })),
      deployment("url", (p) => main(p).env.push({ name: "DATABASE_URL", value: "postgresql://app:hunter2@db:5432/app" })),
      deployment("auth", (p) => main(p).env.push({ name: "AUTH_TOKEN", value: "tok_9f8e7d" }, { name: "NEXTAUTH_SECRET", value: "b64-random" }, { name: "DB_PASSWORD", value: "123456" })),
    ],
    expect: [
      'container "app" env "JWT_SECRET" holds a literal value',
      '"DATABASE_URL" holds a URL with an embedded password',
      '"AUTH_TOKEN" holds a literal value; "NEXTAUTH_SECRET" holds a literal value; "DB_PASSWORD" holds a literal value',
    ],
  },
  "k8s-no-secrets-in-configmaps": {
    good: k8s("ConfigMap", "kubernetes:core/v1:ConfigMap", "headers", { data: { "X-Frame-Options": "DENY", "backup.sh": "#!/bin/sh\necho $PGPASSWORD", nextAuthUrl: "https://app.example.com", TOKEN_TTL: "3600" } }),
    bad: k8s("ConfigMap", "kubernetes:core/v1:ConfigMap", "app", { data: { API_TOKEN: "abc123", "db.url": "redis://:pw@cache:6379" } }),
    expect: ['ConfigMap key "API_TOKEN" holds a literal value', '"db.url" holds a URL with an embedded password'],
  },
  "k8s-min-replicas": {
    good: [
      deployment(), // HPA-managed: no replicas
      deployment("single", (p) => {
        p.spec.replicas = 1;
        p.metadata.labels["app.kubernetes.io/component"] = "singleton";
      }),
      { ...deployment("stg", (p) => ((p.spec.replicas = 1), (p.metadata.labels.environment = "staging"))) },
      // The tail-sampling trace collector runs once by design (every span of a trace in one collector).
      deployment("tracing-collector", (p) => ((p.spec.replicas = 1), (p.metadata.labels["app.kubernetes.io/component"] = "trace-collector"))),
    ],
    bad: deployment("api", (p) => (p.spec.replicas = 2)),
    expect: ["spec.replicas is 2; at least 3 required"],
    config: { minReplicas: 3 },
  },
  "k8s-zone-spread": {
    good: [deployment(), deployment("one", (p) => ((p.spec.replicas = 1), delete p.spec.template.spec.topologySpreadConstraints))],
    bad: deployment("api", (p) => (p.spec.template.spec.topologySpreadConstraints = [{ topologyKey: "kubernetes.io/hostname" }])),
    expect: ["pods are not spread across topology.kubernetes.io/zone"],
  },
  "k8s-no-bare-pods": {
    good: deployment(),
    bad: k8s("Pod", "kubernetes:core/v1:Pod", "debug", { spec: { containers: [{ name: "sh", image: "busybox:1.36" }] } }),
    expect: ["bare Pod"],
  },
  "k8s-cronjob-concurrency": {
    good: cronJob(),
    bad: cronJob("b", (p) => {
      delete p.spec.concurrencyPolicy;
      delete p.spec.startingDeadlineSeconds;
    }),
    expect: ["concurrencyPolicy is Allow (default)", "no startingDeadlineSeconds"],
  },
  "k8s-job-bounded": {
    good: [cronJob(), k8s("Job", "kubernetes:batch/v1:Job", "migrate", { spec: { activeDeadlineSeconds: 600, backoffLimit: 2, template: { spec: { containers: [] } } } })],
    bad: [cronJob("b", (p) => delete p.spec.jobTemplate.spec.activeDeadlineSeconds), k8s("Job", "kubernetes:batch/v1:Job", "m", { spec: { activeDeadlineSeconds: 60, backoffLimit: 50 } })],
    expect: ["job has no activeDeadlineSeconds", "backoffLimit 50 is above 6"],
  },
  "k8s-job-cleanup": {
    good: cronJob(),
    bad: cronJob("b", (p) => {
      delete p.spec.jobTemplate.spec.ttlSecondsAfterFinished;
      p.spec.successfulJobsHistoryLimit = 50;
    }),
    expect: ["job has no ttlSecondsAfterFinished", "successfulJobsHistoryLimit 50 is above 3"],
  },
  "k8s-recommended-labels": {
    good: [deployment(), service()],
    bad: deployment("api", (p) => (p.metadata.labels = { app: "api" })),
    expect: ["missing label(s) app.kubernetes.io/name, app.kubernetes.io/instance"],
  },
  "k8s-no-default-namespace": {
    good: [deployment(), k8s("Namespace", "kubernetes:core/v1:Namespace", "platform", { metadata: { name: "platform" } })],
    bad: [
      deployment("api", (p) => (p.metadata.namespace = "default")),
      { type: "kubernetes:helm.sh/v3:Release", name: "chart", props: { chart: "x", version: "1.0.0", namespace: "default" } },
    ],
    expect: ['Deployment is in namespace "default"', 'Helm release installs into namespace "default"'],
  },
  "k8s-no-deprecated-api": {
    good: [deployment(), k8s("PodDisruptionBudget", "kubernetes:policy/v1:PodDisruptionBudget", "api", {})],
    bad: [k8s("PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget", "api", {}), k8s("CronJob", "kubernetes:batch/v1beta1:CronJob", "b", {})],
    expect: ["PodDisruptionBudget uses deprecated API policy/v1beta1; use policy/v1", "CronJob uses deprecated API batch/v1beta1; use batch/v1"],
  },
  "k8s-namespace-pod-security": {
    good: [
      k8s("Namespace", "kubernetes:core/v1:Namespace", "platform", { metadata: { name: "platform", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }),
      k8s("Namespace", "kubernetes:core/v1:Namespace", "monitoring", { metadata: { name: "monitoring", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }),
      k8s("Namespace", "kubernetes:core/v1:Namespace", "logging", { metadata: { name: "logging", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }),
    ],
    bad: [
      k8s("Namespace", "kubernetes:core/v1:Namespace", "apps", { metadata: { name: "apps", labels: {} } }),
      k8s("Namespace", "kubernetes:core/v1:Namespace", "tools", { metadata: { name: "tools", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } }),
    ],
    expect: ['namespace "apps" enforces no Pod Security level', 'namespace "tools" enforces privileged'],
  },
  "k8s-service-no-external-ips": {
    good: service(),
    bad: k8s("Service", "kubernetes:core/v1:Service", "x", { spec: { type: "ClusterIP", externalIPs: ["203.0.113.7"] } }),
    expect: ["Service sets externalIPs 203.0.113.7"],
  },
  "helm-chart-pinned": {
    good: { type: "kubernetes:helm.sh/v3:Release", name: "cm", props: { chart: "cert-manager", version: "v1.19.1", namespace: "cert-manager" } },
    bad: [
      { type: "kubernetes:helm.sh/v3:Release", name: "cm", props: { chart: "cert-manager", namespace: "cert-manager" } },
      { type: "kubernetes:helm.sh/v3:Release", name: "nx", props: { chart: "ingress-nginx", version: "^4.0.0" } },
    ],
    expect: ['chart "cert-manager" version null is not an exact version', 'chart "ingress-nginx" version "^4.0.0"'],
  },
});

describe("workload checks read every pod template", () => {
  const templates = {
    StatefulSet: (spec: any) => ({ type: "kubernetes:apps/v1:StatefulSet", props: { spec: { template: { spec } } } }),
    DaemonSet: (spec: any) => ({ type: "kubernetes:apps/v1:DaemonSet", props: { spec: { template: { spec } } } }),
    Job: (spec: any) => ({ type: "kubernetes:batch/v1:Job", props: { spec: { template: { spec } } } }),
    CronJob: (spec: any) => ({ type: "kubernetes:batch/v1:CronJob", props: { spec: { jobTemplate: { spec: { template: { spec } } } } } }),
    Pod: (spec: any) => ({ type: "kubernetes:core/v1:Pod", props: { spec } }),
  };
  it.each(Object.keys(templates))("%s: init and main containers", (kind) => {
    const input = templates[kind as keyof typeof templates]({ initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "main", image: "app:latest" }] });
    expect(violations(imagePinned, input)).toEqual(['init container "init" image "busybox" is not pinned by tag or digest', 'container "main" image "app:latest" is not pinned by tag or digest']);
    expect(violations(requests, input)).toHaveLength(2);
  });
});

describe("values unknown during preview", () => {
  it("skip the check silently instead of reporting or erroring", () => {
    const unknownEnv = deployment("api", (p) => (main(p).env = UNKNOWN));
    expect(messages(noSecretEnv, unknownEnv)).toEqual([]);
    const unknownReplicas = deployment("api", (p) => (p.spec.replicas = UNKNOWN));
    expect(messages(minReplicas, unknownReplicas, { config: { minReplicas: 3 } })).toEqual([]);
  });
});
