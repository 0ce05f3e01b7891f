import type { AppServiceArgs } from "../../../components/app-service";
import type { PlatformContext } from "../../../components/lib/platform";

/** A hand-made platform context for the Kubernetes target (prod-like). */
export function kubernetesCtx(overrides: Partial<PlatformContext> = {}): PlatformContext {
  return {
    project: "platform",
    environment: "prod",
    target: "kubernetes",
    cloud: "aws",
    namespace: "apps",
    providers: {},
    monitoringLabels: { release: "kube-prometheus" },
    tags: {},
    runbookBaseUrl: "https://example.com/runbooks/",
    ...overrides,
  };
}

/** The local Docker target with its two tier networks. */
export function dockerCtx(overrides: Partial<PlatformContext> = {}): PlatformContext {
  return kubernetesCtx({
    environment: "dev",
    target: "docker",
    cloud: "none",
    dockerNetworks: { frontend: "net-frontend", backend: "net-backend" },
    ...overrides,
  });
}

export const IMAGE = "registry.example.com/paimon/api:1.4.2";

/** One args value per kind, shaped like the seeds' services. */
export const KIND_ARGS: Record<AppServiceArgs["kind"], AppServiceArgs> = {
  web: { kind: "web", image: "registry.example.com/greenlink/frontend:2.0.1", port: 3000, ingress: { host: "app.example.com" }, metrics: {} },
  api: {
    kind: "api",
    image: IMAGE,
    port: 8000,
    ingress: { host: "api.example.com" },
    metrics: { port: 9100 },
    allowedCallers: ["web"],
    objectives: { availabilityPercent: 99.9, latency: { thresholdSeconds: 1, percent: 95 } },
  },
  worker: { kind: "worker", image: "registry.example.com/paimon/worker:1.4.2", args: ["--worker=rebalance"], metrics: { port: 9100 } },
  singleton: { kind: "singleton", image: "registry.example.com/paimon/listener:1.4.2", port: 8001 },
};
