import { ingressTls, pinnedImages, podSecurity, resourceBounds } from "../../policies/rules/kubernetes";
import { violations } from "../helpers/policy";

const goodContainer = {
  name: "api",
  image: "ghcr.io/example-org/api:1.4.2",
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
  securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
};

function deployment(container: Record<string, unknown>) {
  return { type: "kubernetes:apps/v1:Deployment", props: { spec: { template: { spec: { containers: [container] } } } } };
}

describe("k8s-restricted-pod-security", () => {
  it("accepts a restricted container", () => {
    expect(violations(podSecurity, deployment(goodContainer))).toEqual([]);
  });
  it("reports escalation, root and missing capability drop", () => {
    const bad = { ...goodContainer, securityContext: { privileged: true, runAsUser: 0 } };
    const found = violations(podSecurity, deployment(bad));
    expect(found).toEqual(
      expect.arrayContaining([
        'container "api" is privileged',
        'container "api" does not set allowPrivilegeEscalation: false',
        'container "api" runs as UID 0',
        'container "api" does not drop ALL capabilities',
      ]),
    );
  });
  it("reads CronJob pod templates too", () => {
    const cron = {
      type: "kubernetes:batch/v1:CronJob",
      props: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "backup", image: "x:1" }] } } } } } },
    };
    expect(violations(podSecurity, cron)).toContain('container "backup" does not set runAsNonRoot: true');
  });
});

describe("k8s-pinned-images", () => {
  it("accepts tags and digests", () => {
    expect(violations(pinnedImages, deployment(goodContainer))).toEqual([]);
    const digest = { ...goodContainer, image: `repo/app@sha256:${"a".repeat(64)}` };
    expect(violations(pinnedImages, deployment(digest))).toEqual([]);
  });
  it.each(["repo/app", "repo/app:latest", "registry:5000/app"])("rejects %s", (image) => {
    expect(violations(pinnedImages, deployment({ ...goodContainer, image }))).toEqual([
      `container "api" image "${image}" is not pinned by tag or digest`,
    ]);
  });
});

describe("k8s-requests-and-limits", () => {
  it("accepts bounded containers and rejects unbounded ones", () => {
    expect(violations(resourceBounds, deployment(goodContainer))).toEqual([]);
    expect(violations(resourceBounds, deployment({ ...goodContainer, resources: {} }))).toEqual([
      'container "api" has no CPU/memory requests',
      'container "api" has no memory limit',
    ]);
  });
});

describe("k8s-ingress-tls", () => {
  const ingress = (tls: unknown[]) => ({
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    props: { spec: { rules: [{ host: "app.example.com" }], tls } },
  });
  it("accepts TLS for every host and rejects a host without it", () => {
    expect(violations(ingressTls, ingress([{ hosts: ["app.example.com"], secretName: "app-tls" }]))).toEqual([]);
    expect(violations(ingressTls, ingress([]))).toEqual(['host "app.example.com" is served without TLS']);
  });
});
