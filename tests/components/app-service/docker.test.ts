import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { AppService, APP_SERVICE_TYPE, type AppServiceArgs } from "../../../components/app-service";
import { installMocks, isSecretValue, plaintextStrings, type Recorder, settle, unwrapSecrets } from "../../helpers/mocks";
import { dockerCtx, KIND_ARGS } from "./fixtures";

let rec: Recorder;
beforeEach(() => {
  rec = installMocks();
});

const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";

async function build(name: string, args: AppServiceArgs, ctx = dockerCtx()) {
  const svc = new AppService(name, args, ctx);
  await settle();
  return { svc, container: rec.one(CONTAINER, `${name}-container`).inputs };
}

describe("AppService on Docker", () => {
  test("one hardened container per service: non-root, read-only root + tmpfs /tmp, no-new-privileges, cap drop ALL, limits", async () => {
    const { container } = await build("api", KIND_ARGS.api);
    expect(rec.inventory()).toEqual([`${APP_SERVICE_TYPE} api`, `${CONTAINER} api-container`, `${IMAGE} api-image`].sort());
    expect(container.user).toBe("10001:10001");
    expect(container.readOnly).toBe(true);
    expect(container.tmpfs).toEqual({ "/tmp": "rw,noexec,nosuid,size=64m" });
    expect(container.securityOpts).toEqual(["no-new-privileges:true"]);
    expect(container.capabilities).toEqual({ drops: ["ALL"] });
    expect(container.memory).toBe(1024);
    expect(container.memoryReservation).toBe(512);
    expect(container.cpus).toBe("0.5");
    expect(container.restart).toBe("unless-stopped");
    expect(container.logDriver).toBe("json-file");
    expect(container.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
    expect(rec.one(IMAGE).inputs.name).toBe(KIND_ARGS.api.image);
  });

  test("healthcheck curls the readiness path with the playbook's interval/timeout/retries; a custom command wins", async () => {
    const { container } = await build("api", KIND_ARGS.api);
    expect(container.healthcheck).toEqual({
      tests: ["CMD", "curl", "-fsS", "http://localhost:8000/health/ready"],
      interval: "30s",
      timeout: "3s",
      retries: 3,
      startPeriod: "5s",
    });
    rec.clear();
    const custom = await build("api2", { ...KIND_ARGS.api, health: { dockerTest: ["CMD", "/app/healthcheck"] } });
    expect(custom.container.healthcheck.tests).toEqual(["CMD", "/app/healthcheck"]);
  });

  test("healthcheck follows the probe opt-outs: liveness path when readiness is off, none when both are off", async () => {
    const live = await build("api", { ...KIND_ARGS.api, health: { readinessPath: false } });
    expect(live.container.healthcheck.tests).toEqual(["CMD", "curl", "-fsS", "http://localhost:8000/health"]);
    rec.clear();
    const none = await build("api2", { ...KIND_ARGS.api, health: { livenessPath: false, readinessPath: false } });
    expect(none.container.healthcheck).toBeUndefined();
  });

  test("ports publish on 127.0.0.1 by default; workers publish nothing", async () => {
    const { container } = await build("api", KIND_ARGS.api);
    expect(container.ports).toEqual([{ internal: 8000, external: 8000, ip: "127.0.0.1", protocol: "tcp" }]);
    rec.clear();
    const worker = await build("rebalance", KIND_ARGS.worker);
    expect(worker.container.ports).toBeUndefined();
    rec.clear();
    // An extra (gRPC) port is for callers on the service's networks: never published on the host.
    const grpc = await build("grpc", { ...KIND_ARGS.api, extraPorts: [{ name: "grpc", port: 9090 }] });
    expect(grpc.container.ports).toEqual([{ internal: 8000, external: 8000, ip: "127.0.0.1", protocol: "tcp" }]);
  });

  test("0.0.0.0 is accepted only for the load balancer ports 80/443", async () => {
    const { container } = await build("web", { ...KIND_ARGS.web, docker: { hostIp: "0.0.0.0", hostPort: 443 } });
    expect(container.ports).toEqual([{ internal: 3000, external: 443, ip: "0.0.0.0", protocol: "tcp" }]);
  });

  test.each([
    ["web", ["net-frontend"]],
    ["api", ["net-frontend", "net-backend"]],
    ["worker", ["net-backend"]],
    ["singleton", ["net-backend"]],
  ] as const)("%s joins the tier networks %j with its name as alias", async (kind, networks) => {
    const { container } = await build(kind, KIND_ARGS[kind]);
    expect(container.networksAdvanced).toEqual(networks.map((name) => ({ name, aliases: [kind] })));
  });

  test("secretEnv values are secret env entries; no secret value appears in plaintext anywhere", async () => {
    const SECRET = "docker-secret-value-123";
    const { container } = await build("api", { ...KIND_ARGS.api, env: { LOG_FORMAT: "json" }, secretEnv: { API_KEY: SECRET, TOKEN: pulumi.secret(SECRET) } });
    expect(isSecretValue(container.envs)).toBe(true);
    expect(unwrapSecrets(container.envs)).toEqual(["LOG_FORMAT=json", `API_KEY=${SECRET}`, `TOKEN=${SECRET}`]);
    const leaks = rec.resources.flatMap((r) => plaintextStrings(r.inputs).filter((s) => s.value.includes(SECRET)));
    expect(leaks).toEqual([]);
  });

  test("plain env stays plain (readable in previews) when there are no secrets", async () => {
    const { container } = await build("api", { ...KIND_ARGS.api, env: { LOG_FORMAT: "json" } });
    expect(container.envs).toEqual(["LOG_FORMAT=json"]);
  });

  test("metrics become a static scrape target; monitoredService is exposed", async () => {
    const { svc } = await build("api", KIND_ARGS.api);
    expect(svc.monitoring.scrapeTargets).toEqual([{ job: "api", targets: ["api:9100"], metricsPath: "/metrics", labels: { service: "api" } }]);
    expect(svc.monitoredService?.job).toBe("api");
    rec.clear();
    const listener = await build("listener", KIND_ARGS.singleton);
    expect(listener.svc.monitoring.scrapeTargets).toEqual([]);
  });

  test("children are parented to the component and use the explicit Docker provider", async () => {
    const provider = new docker.Provider("local", {});
    await build("api", { ...KIND_ARGS.api, transforms: { container: (a: any) => ({ ...a, stopTimeout: 20 }) } }, dockerCtx({ providers: { docker: provider } }));
    const component = rec.one(APP_SERVICE_TYPE);
    for (const child of [rec.one(CONTAINER), rec.one(IMAGE)]) {
      expect(child.parent).toBe(component.urn);
      expect(child.provider).toContain("pulumi:providers:docker::local");
    }
    expect(rec.one(CONTAINER).inputs.stopTimeout).toBe(20);
  });
});
