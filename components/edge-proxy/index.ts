import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform } from "../lib/transform";
import { CONTAINER_PORTS, type EdgeProxyArgs, NGINX_UID } from "./args";
import { nginxConfig } from "./nginx-conf";
import { CONFIG_DIR, containerConfigInput, type ResolvedEdgeProxy, validateEdgeProxyArgs } from "./validate";

export * from "./args";
export { nginxConfig, type NginxConfigInput, type EdgeSite, type EdgeLocation } from "./nginx-conf";
export { certificateCovers, CONFIG_DIR, containerConfigInput, validateEdgeProxyArgs, type ResolvedEdgeProxy } from "./validate";

/** Constant type token: never change it. */
export const EDGE_PROXY_TYPE = "platform:edge-proxy:EdgeProxy";

/**
 * The Docker target's edge: one hardened nginx container on the frontend network in front of every service with
 * an `ingress`, doing what ingress-nginx and cert-manager do on Kubernetes (TLS from a provided certificate,
 * redirect, security headers, gzip, per-client rate limit, body limit). The certificate and key reach the
 * container only as files (0400, owned by nginx) on a config volume, never as env or plain config.
 */
export class EdgeProxy extends pulumi.ComponentResource {
  readonly settings: ResolvedEdgeProxy;
  /** The generated nginx.conf (contains no secret). */
  readonly nginxConf: string;
  readonly configVolume: docker.Volume;
  readonly container: docker.Container;
  /** Public base URL of each host. */
  readonly urls: Record<string, string>;

  /** `opts.dependsOn` (the upstream containers) also orders the nginx container itself. */
  constructor(name: string, args: EdgeProxyArgs, ctx: PlatformContext, opts?: pulumi.ComponentResourceOptions) {
    const settings = validateEdgeProxyArgs(name, args);
    if (ctx.target !== "docker" || !ctx.dockerNetworks) {
      throw new Error(`EdgeProxy "${name}": the Docker edge needs the docker target and its networks (on Kubernetes the ingress controller is the edge)`);
    }
    super(EDGE_PROXY_TYPE, name, {}, opts);
    this.settings = settings;
    this.nginxConf = nginxConfig(containerConfigInput(settings));
    const childOpts = { parent: this, ...providerFor(ctx, "docker") };
    const t = args.transforms;

    this.configVolume = new docker.Volume(`${name}-config`, applyTransform(t, "configVolume", {
      labels: [{ label: "app.kubernetes.io/part-of", value: ctx.project }, { label: "app.kubernetes.io/component", value: "edge" }],
    }), childOpts);

    const used = [...new Set(settings.sites.map((s) => s.certificateIndex))];
    const owner = { owner: String(NGINX_UID), group: String(NGINX_UID) };
    this.container = new docker.Container(`${name}-container`, applyTransform(t, "container", {
      image: settings.image,
      // Straight to nginx: the image's entrypoint scripts would try to rewrite files on the read-only root filesystem.
      entrypoints: ["nginx"],
      command: ["-c", `${CONFIG_DIR}/nginx.conf`],
      user: `${NGINX_UID}:${NGINX_UID}`,
      readOnly: true,
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
      capabilities: { drops: ["ALL"] },
      securityOpts: ["no-new-privileges:true"],
      memory: 256,
      cpus: "1",
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "3" },
      networksAdvanced: [{ name: ctx.dockerNetworks.frontend, aliases: ["edge"] }],
      ports: [
        { internal: CONTAINER_PORTS.http, external: settings.httpPort, ip: settings.hostIp, protocol: "tcp" },
        { internal: CONTAINER_PORTS.https, external: settings.httpsPort, ip: settings.hostIp, protocol: "tcp" },
      ],
      volumes: [{ volumeName: this.configVolume.name, containerPath: CONFIG_DIR }],
      uploads: [
        { file: `${CONFIG_DIR}/nginx.conf`, content: this.nginxConf, permissions: "0444" },
        ...used.flatMap((i) => [
          { file: `${CONFIG_DIR}/tls/${i}.crt`, content: pulumi.secret(args.certificates[i].certificate), permissions: "0444", ...owner },
          { file: `${CONFIG_DIR}/tls/${i}.key`, content: pulumi.secret(args.certificates[i].privateKey), permissions: "0400", ...owner },
        ]),
      ],
      healthcheck: {
        tests: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${CONTAINER_PORTS.health}/healthz`],
        interval: "30s",
        timeout: "3s",
        retries: 3,
        startPeriod: "5s",
      },
      labels: [
        { label: "app.kubernetes.io/name", value: name },
        { label: "app.kubernetes.io/component", value: "edge" },
        { label: "app.kubernetes.io/part-of", value: ctx.project },
        { label: "environment", value: ctx.environment },
      ],
    } satisfies docker.ContainerArgs), { ...childOpts, dependsOn: opts?.dependsOn });

    const suffix = settings.httpsPort === 443 ? "" : `:${settings.httpsPort}`;
    this.urls = Object.fromEntries(settings.sites.map((s) => [s.host, `https://${s.host}${suffix}`]));
    this.registerOutputs({ urls: this.urls });
  }
}
