import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import { provisionedDatasources, type GrafanaDatasource } from "../lib/datasources";
import type { Dashboard, ScrapeTarget } from "../lib/monitoring";
import { providerFor, type PlatformContext } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import type { AlertingStackArgs } from "./index";
import { PROMETHEUS_DATASOURCE } from "./dashboards/panels";
import { DEFAULT_HOST_PORTS } from "./host-ports";
import type { RenderedAlerting } from "./render";
import { BLACKBOX_HOST, BLACKBOX_PORT, blackboxConfig, blackboxScrapeConfig } from "./probes";
import { bundlesBySource } from "./validate";
import { withWechatSecrets } from "./wechat";

/** Pinned images of the dev stack (bump deliberately; tags never move). */
export interface DockerImages {
  prometheus: string;
  alertmanager: string;
  grafana: string;
  nodeExporter: string;
  cadvisor: string;
  /** Only started when there are probe targets. */
  blackbox: string;
}
export const DOCKER_IMAGES: DockerImages = {
  prometheus: "prom/prometheus:v3.5.0",
  alertmanager: "prom/alertmanager:v0.28.1",
  grafana: "grafana/grafana:12.1.1",
  nodeExporter: "prom/node-exporter:v1.9.1",
  cadvisor: "gcr.io/cadvisor/cadvisor:v0.49.1",
  blackbox: "prom/blackbox-exporter:v0.27.0",
};

/** Where node-exporter reads the batch jobs' textfile metrics (the stack's shared volume, read-only). */
export const TEXTFILE_DIR = "/textfile";

/** Receiver secret files inside the Alertmanager container. */
export const DOCKER_SECRET_DIR = "/etc/alertmanager/secrets";
const RULE_DIR = "/etc/prometheus/rules";
const DASHBOARD_DIR = "/var/lib/grafana/dashboards";

/** Static scrape target with its Inputs resolved. */
export interface ResolvedScrapeTarget extends Omit<ScrapeTarget, "targets"> {
  targets: string[];
}

/** prometheus.yml of the dev stack (pure). Rules come from one file per source under RULE_DIR. */
export function prometheusConfig(input: {
  environment: string;
  ruleSources: string[];
  scrapeTargets: ReadonlyArray<ResolvedScrapeTarget>;
  /** Public URLs the blackbox exporter probes (job `blackbox`). */
  probeTargets?: ReadonlyArray<string>;
}): Record<string, unknown> {
  return {
    global: { scrape_interval: "15s", evaluation_interval: "15s", external_labels: { environment: input.environment } },
    rule_files: input.ruleSources.map((s) => `${RULE_DIR}/${s}.yml`),
    alerting: { alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] },
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
      { job_name: "alertmanager", static_configs: [{ targets: ["alertmanager:9093"] }] },
      { job_name: "grafana", static_configs: [{ targets: ["grafana:3000"] }] },
      // Host (CPU, memory, disk, plus the backup jobs' textfile metrics) and per-container resource usage.
      { job_name: "node", static_configs: [{ targets: ["node-exporter:9100"] }] },
      { job_name: "cadvisor", static_configs: [{ targets: ["cadvisor:8080"] }] },
      ...input.scrapeTargets.map((t) => ({
        job_name: t.job,
        metrics_path: t.metricsPath ?? "/metrics",
        static_configs: [{ targets: t.targets, ...(t.labels ? { labels: t.labels } : {}) }],
      })),
      ...(input.probeTargets && input.probeTargets.length > 0 ? [blackboxScrapeConfig(input.probeTargets)] : []),
    ],
  };
}

/** Grafana provisioning files (pure): the Prometheus datasource and a file provider per folder. */
export function grafanaProvisioning(dashboards: ReadonlyArray<Dashboard>, datasources: ReadonlyArray<GrafanaDatasource> = []): Record<string, string> {
  const folders = [...new Set(dashboards.map((d) => d.folder ?? "General"))];
  const files: Record<string, string> = {
    "/etc/grafana/provisioning/datasources/prometheus.yml": stringify({
      apiVersion: 1,
      datasources: [
        { name: "Prometheus", type: "prometheus", uid: PROMETHEUS_DATASOURCE.uid, access: "proxy", url: "http://prometheus:9090", isDefault: true, editable: false },
        ...provisionedDatasources(datasources),
      ],
    }),
    "/etc/grafana/provisioning/dashboards/platform.yml": stringify({
      apiVersion: 1,
      providers: folders.map((folder) => ({
        name: folder,
        folder,
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: `${DASHBOARD_DIR}/${folderDir(folder)}` },
      })),
    }),
  };
  for (const d of dashboards) files[`${DASHBOARD_DIR}/${folderDir(d.folder ?? "General")}/${d.uid}.json`] = JSON.stringify(d.model);
  return files;
}

function folderDir(folder: string): string {
  return folder.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

const logOpts = { "max-size": "10m", "max-file": "3" };

/** Hardening shared by the three containers. Root FS stays writable: Docker cannot upload files into a read-only one. */
function hardened(memoryMb: number) {
  return {
    restart: "unless-stopped",
    capabilities: { drops: ["ALL"] },
    securityOpts: ["no-new-privileges:true"],
    memory: memoryMb,
    logDriver: "json-file",
    logOpts,
  };
}

export function registerDocker(
  parent: pulumi.ComponentResource,
  name: string,
  ctx: PlatformContext,
  args: AlertingStackArgs,
  rendered: RenderedAlerting,
) {
  const t = args.transforms;
  const opts = { parent, ...providerFor(ctx, "docker") };
  const images = { ...DOCKER_IMAGES, ...(args.images ?? {}) };
  const hostPorts = { ...DEFAULT_HOST_PORTS, ...(args.hostPorts ?? {}) };
  const backend = ctx.dockerNetworks!.backend;
  const network = (alias: string) => [{ name: backend, aliases: [alias] }];

  const scrapeTargets = Object.values(bundlesBySource(args.monitoring)).flatMap((b) => b.scrapeTargets);
  const promYaml = pulumi
    .all(scrapeTargets.map((s) => pulumi.all(s.targets)))
    .apply((resolved) =>
      stringify(
        prometheusConfig({
          environment: ctx.environment,
          ruleSources: Object.keys(rendered.ruleFiles),
          scrapeTargets: scrapeTargets.map((s, i) => ({ ...s, targets: resolved[i] })),
          probeTargets: args.probeTargets ?? [],
        }),
      ),
    );

  const prometheusData = new docker.Volume(`${name}-prometheus-data`, applyTransform(t, "prometheusData", {}), opts);
  const grafanaData = new docker.Volume(`${name}-grafana-data`, applyTransform(t, "grafanaData", {}), opts);

  const alertmanager = new docker.Container(
    `${name}-alertmanager`,
    applyTransform(t, "alertmanager", {
      image: images.alertmanager,
      user: "65534:65534",
      command: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
      networksAdvanced: network("alertmanager"),
      ports: [{ internal: 9093, external: hostPorts.alertmanager, ip: "127.0.0.1" }],
      healthcheck: { tests: ["CMD", "wget", "-q", "--spider", "http://localhost:9093/-/healthy"], interval: "30s", timeout: "5s", retries: 3 },
      uploads: [
        {
          file: "/etc/alertmanager/alertmanager.yml",
          content: pulumi.output(withWechatSecrets(rendered.alertmanagerConfig, args.receivers)).apply((c) => stringify(c)),
        },
        ...args.receivers.map((r) => ({
          file: `${DOCKER_SECRET_DIR}/${r.name}`,
          content: pulumi.secret(r.secret),
          permissions: "0400",
          owner: "65534",
          group: "65534",
        })),
      ],
      ...hardened(256),
    }),
    opts,
  );

  const probeTargets = args.probeTargets ?? [];
  const blackbox =
    probeTargets.length > 0
      ? new docker.Container(
          `${name}-blackbox`,
          applyTransform(t, "blackbox", {
            image: images.blackbox,
            user: "65534:65534",
            command: ["--config.file=/etc/blackbox/blackbox.yml"],
            networksAdvanced: network(BLACKBOX_HOST),
            healthcheck: { tests: ["CMD", "wget", "-q", "--spider", `http://localhost:${BLACKBOX_PORT}/-/healthy`], interval: "30s", timeout: "5s", retries: 3 },
            uploads: [{ file: "/etc/blackbox/blackbox.yml", content: stringify(blackboxConfig()) }],
            ...hardened(128),
          }),
          opts,
        )
      : undefined;

  const prometheus = new docker.Container(
    `${name}-prometheus`,
    applyTransform(t, "prometheus", {
      image: images.prometheus,
      user: "65534:65534",
      command: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${args.retention ?? "15d"}`,
        "--web.enable-lifecycle",
      ],
      networksAdvanced: network("prometheus"),
      ports: [{ internal: 9090, external: hostPorts.prometheus, ip: "127.0.0.1" }],
      volumes: [{ volumeName: prometheusData.name, containerPath: "/prometheus" }],
      healthcheck: { tests: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"], interval: "30s", timeout: "5s", retries: 3 },
      uploads: [
        { file: "/etc/prometheus/prometheus.yml", content: promYaml },
        ...Object.entries(rendered.ruleFiles).map(([source, file]) => ({ file: `${RULE_DIR}/${source}.yml`, content: stringify(file) })),
      ],
      ...hardened(1024),
    }),
    { ...opts, dependsOn: blackbox ? [alertmanager, blackbox] : [alertmanager] },
  );

  const exporters = registerHostExporters(name, ctx, images, network, opts, t);

  const grafanaPassword = new random.RandomPassword(
    `${name}-grafana-password`,
    applyTransform(t, "grafanaPassword", { length: 32, special: false }),
    { parent },
  );
  const grafana = new docker.Container(
    `${name}-grafana`,
    applyTransform(t, "grafana", {
      image: images.grafana,
      user: "472:0",
      envs: [
        "GF_SECURITY_ADMIN_USER=admin",
        pulumi.secret(pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${grafanaPassword.result}`),
        "GF_USERS_ALLOW_SIGN_UP=false",
        "GF_AUTH_ANONYMOUS_ENABLED=false",
        "GF_ANALYTICS_REPORTING_ENABLED=false",
      ],
      networksAdvanced: network("grafana"),
      ports: [{ internal: 3000, external: hostPorts.grafana, ip: "127.0.0.1" }],
      volumes: [{ volumeName: grafanaData.name, containerPath: "/var/lib/grafana" }],
      healthcheck: { tests: ["CMD", "wget", "-q", "--spider", "http://localhost:3000/api/health"], interval: "30s", timeout: "5s", retries: 3 },
      uploads: Object.entries(grafanaProvisioning(rendered.dashboards, args.datasources)).map(([file, content]) => ({ file, content })),
      ...hardened(512),
    }),
    { ...opts, dependsOn: [prometheus] },
  );

  return {
    prometheus,
    alertmanager,
    grafana,
    ...exporters,
    blackbox,
    grafanaPassword,
    urls: {
      prometheus: pulumi.output(`http://127.0.0.1:${hostPorts.prometheus}`),
      alertmanager: pulumi.output(`http://127.0.0.1:${hostPorts.alertmanager}`),
      grafana: pulumi.output(`http://127.0.0.1:${hostPorts.grafana}`),
    },
  };
}

/**
 * node-exporter and cAdvisor, least privilege: non-root, read-only root filesystem, no capabilities, host paths
 * mounted read-only, no published ports (Prometheus reaches them on the backend network), no Docker socket.
 */
function registerHostExporters(
  name: string,
  ctx: PlatformContext,
  images: DockerImages,
  network: (alias: string) => docker.types.input.ContainerNetworksAdvanced[],
  opts: pulumi.CustomResourceOptions,
  t: AlertingStackArgs["transforms"],
) {
  const textfile = ctx.dockerMetricsVolume;
  const nodeExporter = new docker.Container(
    `${name}-node-exporter`,
    applyTransform(t, "nodeExporter", {
      image: images.nodeExporter,
      user: "65534:65534",
      readOnly: true,
      command: [
        // Host /proc and /sys: CPU and memory are host-wide there; filesystems are read through the host root.
        "--path.procfs=/host/proc",
        "--path.sysfs=/host/sys",
        "--path.rootfs=/host/root",
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+|var/lib/containers/.+)($|/)",
        ...(textfile ? [`--collector.textfile.directory=${TEXTFILE_DIR}`] : []),
      ],
      volumes: [
        { hostPath: "/proc", containerPath: "/host/proc", readOnly: true },
        { hostPath: "/sys", containerPath: "/host/sys", readOnly: true },
        { hostPath: "/", containerPath: "/host/root", readOnly: true },
        ...(textfile ? [{ volumeName: textfile, containerPath: TEXTFILE_DIR, readOnly: true }] : []),
      ],
      networksAdvanced: network("node-exporter"),
      healthcheck: { tests: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost:9100/metrics"], interval: "30s", timeout: "5s", retries: 3 },
      ...hardened(128),
    } satisfies docker.ContainerArgs),
    opts,
  );
  const cadvisor = new docker.Container(
    `${name}-cadvisor`,
    applyTransform(t, "cadvisor", {
      image: images.cadvisor,
      user: "65534:65534",
      readOnly: true,
      command: [
        // cgroup metrics only, for Docker's containers; without the Docker socket (root-equivalent) containers
        // are identified by cgroup id, which `docker ps --no-trunc` maps to a name.
        "--docker_only=false",
        "--raw_cgroup_prefix_whitelist=/docker/,/system.slice/docker-",
        "--store_container_labels=false",
        "--housekeeping_interval=30s",
        "--disable_metrics=percpu,sched,tcp,udp,disk,diskIO,hugetlb,referenced_memory,cpu_topology,resctrl,advtcp,process,memory_numa,oom_event",
      ],
      volumes: [
        { hostPath: "/sys", containerPath: "/sys", readOnly: true },
        { hostPath: "/", containerPath: "/rootfs", readOnly: true },
      ],
      networksAdvanced: network("cadvisor"),
      healthcheck: { tests: ["CMD", "wget", "-q", "-O", "/dev/null", "http://localhost:8080/healthz"], interval: "30s", timeout: "5s", retries: 3 },
      ...hardened(256),
    } satisfies docker.ContainerArgs),
    opts,
  );
  return { nodeExporter, cadvisor };
}
