import type { AppServiceArgs } from "../../components/app-service";
import { allocatable, capacityProblems, INSTANCE_SHAPES, jobRequests, serviceRequests, systemOverhead } from "../../stacks/capacity";
import { readStackFile, stackError } from "../helpers/stack";
import { CLOUD_SECRETS } from "./fixtures";

const svc = (cpu: string, memory: string, min: number, kind: AppServiceArgs["kind"] = "api"): { args: AppServiceArgs } => ({
  args: { kind, image: "registry.example.com/x:1.0.0", port: 8000, resources: { requests: { cpu, memory }, limits: { cpu: "2", memory: "4Gi" } }, autoscaling: { min, max: 10 } },
});

/** A Potato Chat-shaped system (web, api-gateway, 6 microservices, admin, a singleton) requesting 7.35 vCPU at minimum replicas. */
const POTATO_CHAT = [
  svc("500m", "512Mi", 3), svc("500m", "512Mi", 3),
  ...Array.from({ length: 6 }, () => svc("200m", "256Mi", 3)),
  svc("250m", "256Mi", 1, "singleton"), svc("500m", "512Mi", 1),
];

describe("node capacity check", () => {
  test("allocatable follows the documented reservation tiers", () => {
    expect(allocatable(INSTANCE_SHAPES["t3.large"]).cpuMillis).toBe(1930);
    expect(allocatable(INSTANCE_SHAPES["m5.xlarge"]).cpuMillis).toBe(3920);
    expect(allocatable(INSTANCE_SHAPES["t3.large"]).memoryBytes / 2 ** 30).toBeCloseTo(6.1, 1);
  });

  test("sums requests x minimum replicas; singletons count once", () => {
    expect(serviceRequests(POTATO_CHAT).cpuMillis).toBe(7350);
    expect(systemOverhead({ monitoringReplicas: 2, proxyReplicas: 3, gateways: 1, edge: true }).cpuMillis).toBe(2500);
    // On EKS the AWS Load Balancer Controller runs two 100m replicas beside the autoscaler.
    expect(systemOverhead({ monitoringReplicas: 2, proxyReplicas: 3, gateways: 1, edge: true, cloud: "aws" }).cpuMillis).toBe(2700);
    expect(systemOverhead({ monitoringReplicas: 2, proxyReplicas: 3, gateways: 1, edge: true, cloud: "alicloud" }).cpuMillis).toBe(2500);
  });

  test("Potato Chat on 3 x t3.large fails naming both figures; on up to 6 x m5.xlarge it fits", () => {
    const tooSmall = capacityProblems({
      cloud: "aws", cluster: { nodeSize: "medium", nodes: { min: 3, max: 3, desired: 3 } }, services: POTATO_CHAT,
      monitoringReplicas: 2, edge: { proxyReplicas: 3, gateways: 1 },
    });
    expect(tooSmall.map((p) => p.path)).toEqual(["cluster.nodes.max"]);
    expect(tooSmall[0].allowed).toContain("the pods request 10.05 vCPU (services at minimum replicas 7.35 + system 2.70) but the node autoscaler's maximum, 3 x t3.large, offers at most 5.19 vCPU");
    expect(capacityProblems({
      cloud: "aws", cluster: { nodeSize: "large", nodes: { min: 3, max: 6, desired: 3 } }, services: POTATO_CHAT,
      monitoringReplicas: 2, edge: { proxyReplicas: 3, gateways: 1 },
    })).toEqual([]);
  });

  test("job pods count at the service's requests: one per CronJob (Forbid) and per one-off Job, beside the replicas", () => {
    const withJobs = (cpu: string, memory: string, min: number, jobs: AppServiceArgs["jobs"]) => {
      const s = svc(cpu, memory, min);
      return { args: { ...s.args, jobs } };
    };
    const api = withJobs("500m", "1Gi", 2, [
      { name: "migrate", command: ["alembic", "upgrade", "head"] },
      { name: "seed", when: "withRollout" },
      { name: "report", schedule: "0 6 * * 1" },
    ]);
    expect(jobRequests([api, svc("200m", "256Mi", 3)])).toEqual({ cpuMillis: 1500, memoryBytes: 3 * 2 ** 30, pods: 3 });
    // Services without jobs and default requests: nothing / 250m/512Mi per job pod.
    expect(jobRequests(POTATO_CHAT).pods).toBe(0);
    expect(jobRequests([{ args: { kind: "worker", image: "r.example.com/w:1.0.0", jobs: [{ name: "nightly", schedule: "0 1 * * *" }] } }]))
      .toEqual({ cpuMillis: 250, memoryBytes: 512 * 2 ** 20, pods: 1 });

    // A pool that holds the replicas and the system exactly fails once the jobs are added, naming them.
    const cluster = { nodeSize: "medium" as const, nodes: { min: 1, max: 3, desired: 1 } };
    const base = { cloud: "aws" as const, cluster, monitoringReplicas: 1 };
    expect(capacityProblems({ ...base, services: [svc("500m", "1Gi", 6)] })).toEqual([]);
    const problems = capacityProblems({ ...base, services: [withJobs("500m", "1Gi", 6, api.args.jobs)] });
    expect(problems.map((p) => p.path)).toEqual(["cluster.nodes.max"]);
    expect(problems[0].allowed).toMatch(/the pods request \d+\.\d\d vCPU \(services at minimum replicas 3\.00 \+ 3 job pods 1\.50 \+ system \d\.\d\d\)/);
    expect(problems[0].allowed).toContain("or lower the services' requests or minimum replicas or their jobs");
  });

  test("memory is checked too (Alibaba Cloud shapes)", () => {
    const heavy = [svc("100m", "4Gi", 3)];
    const problems = capacityProblems({ cloud: "alicloud", cluster: { nodeSize: "small", nodes: { min: 1, max: 2, desired: 1 } }, services: heavy, monitoringReplicas: 1 });
    expect(problems).toHaveLength(1);
    expect(problems[0].allowed).toMatch(/request 1\d\.\d GiB memory .* but the node autoscaler's maximum, 2 x ecs\.g7\.large, offers at most \d+\.\d GiB/);
  });

  test("a prod stack whose node pool cannot hold it fails before anything is registered, at platform:cluster.nodes.max", async () => {
    const message = await stackError("prod", { cluster: { nodeSize: "medium", nodes: { min: 2, max: 2, desired: 2 } } }, { secrets: CLOUD_SECRETS });
    expect(message).toContain("platform:cluster.nodes.max: is too small: the pods request 5.20 vCPU (services at minimum replicas 2.50 + system 2.70) but the node autoscaler's maximum, 2 x t3.large, offers at most 3.46 vCPU");
    expect(message).toContain("(got 2)");
  });

  test("a prod stack's services[].jobs are counted by the stack's check (4 x t3.large holds the bundled prod, not with 8 migration jobs)", async () => {
    const services = structuredClone(readStackFile("prod")["platform:services"]) as any[];
    const api = services.find((s) => s.name === "api");
    api.jobs = Array.from({ length: 8 }, (_, i) => ({ name: `step${i}`, command: ["migrate", String(i)] }));
    const message = await stackError("prod", { services, cluster: { nodeSize: "medium", nodes: { min: 3, max: 4, desired: 3 } } }, { secrets: CLOUD_SECRETS });
    expect(message).toMatch(/platform:cluster\.nodes\.max: is too small: the pods request \d+\.\d\d vCPU \(services at minimum replicas 2\.50 \+ 8 job pods \d\.\d\d \+ system 2\.70\) but the node autoscaler's maximum, 4 x t3\.large, offers at most 6\.92 vCPU/);
  });

  test("on Alibaba Cloud too, at the ACK node pool's max", async () => {
    const message = await stackError("prod", { cloud: "alicloud", cluster: { nodeSize: "small", nodes: { min: 1, max: 2, desired: 1 } } }, { secrets: CLOUD_SECRETS });
    expect(message).toMatch(/platform:cluster\.nodes\.max: is too small: the pods request 5\.00 vCPU \(services at minimum replicas 2\.50 \+ system 2\.50\) but the node autoscaler's maximum, 2 x ecs\.g7\.large, offers at most 3\.46 vCPU/);
  });
});
