import { unwrapSecrets } from "../../helpers/mocks";
import { buildStack, readStackFile, stackError } from "../../helpers/stack";
import { DEV_SECRETS } from "../fixtures";
import type { FeatureStacks } from "./stacks";

/**
 * The Docker target run as production: the bundled dev stack file with `environment: prod` (one host, the
 * seeds' Compose deployments). Built once (FeatureStacks.dockerProd); nothing from the prod profile that Docker cannot honour leaks in.
 */
export function describeDockerProd(stacks: FeatureStacks): void {
  const rec = () => stacks.dockerProd.recorder;
  const container = (name: string) => unwrapSecrets(rec().one("docker:index/container:Container", name).inputs);

  describe("prod profile on the Docker target", () => {
    it("builds: one container per service, no HPA/PDB, and backup RPOs the dump schedules can meet", () => {
      expect(rec().byType("docker:index/container:Container").map((c) => c.name)).toEqual(expect.arrayContaining(["web-container", "api-container", "worker-container", "event-listener-container"]));
      expect(rec().resources.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
      expect(rec().byType("platform:backup:BackupJob").map((b) => b.name).sort()).toEqual(["cache-backup", "main-db-backup"]);
    });

    it("records an edge container whose nginx.conf serves the ingress host on TLS with the seeds' hardening", () => {
      const edge = container("edge-container");
      const conf = edge.uploads.find((u: any) => u.file === "/etc/nginx/platform/nginx.conf").content as string;
      expect(conf).toContain("server_name app.dev.example.com;");
      expect(conf).toContain("set $upstream_web \"web:3000\";");
      expect(conf).toContain("limit_req zone=rl_web burst=20 nodelay;");
      expect(conf).toContain("return 308 https://$host:8443$request_uri;");
      // Outside dev the edge faces the world on the configured ports; the services stay on 127.0.0.1.
      expect(edge.ports.map((p: any) => `${p.ip}:${p.external}`)).toEqual(["0.0.0.0:8080", "0.0.0.0:8443"]);
      expect(container("web-container").ports[0].ip).toBe("127.0.0.1");
      expect(stacks.dockerProd.outputs.edgeUrls).toEqual({ "app.dev.example.com": "https://app.dev.example.com:8443" });
    });

    it("host and container alerts have their exporters, and the backup results reach Prometheus", () => {
      const node = container("alerting-node-exporter");
      const cadvisor = container("alerting-cadvisor");
      expect(node.image).toMatch(/^prom\/node-exporter:v\d+\.\d+\.\d+$/);
      expect(cadvisor.image).toMatch(/^gcr\.io\/cadvisor\/cadvisor:v\d+\.\d+\.\d+$/);
      const textfile = node.volumes.find((v: any) => v.containerPath === "/textfile");
      expect(textfile.readOnly).toBe(true);
      for (const job of ["main-db-backup-backup-container", "main-db-backup-verify-container", "cache-backup-backup-container", "cache-backup-verify-container"]) {
        expect(container(job).volumes).toContainEqual({ volumeName: textfile.volumeName, containerPath: "/metrics" });
      }
      const volume = rec().one("docker:index/volume:Volume", "metrics-textfile").inputs;
      expect(volume.driverOpts).toEqual({ type: "tmpfs", device: "tmpfs", o: "size=16m,uid=999,gid=999,mode=0755" });
    });

    it("the edge waits for the services it proxies to", () => {
      const edge = rec().one("docker:index/container:Container", "edge-container");
      const web = rec().one("docker:index/container:Container", "web-container");
      expect(edge.dependencies).toContain(web.urn);
    });
  });

  // Its own build: a gRPC route on the edge (the shared dockerProd build stays the stack file as it is).
  describe("gRPC routes on the Docker edge", () => {
    /** The dev stack with a gRPC port on api (an extra port on the backend and frontend networks), routed on the web host. */
    const withGrpc = (route: Record<string, unknown>) => {
      const services = structuredClone(readStackFile("dev")["platform:services"]) as Array<Record<string, unknown>>;
      services[1].extraPorts = [{ name: "grpc", port: 9090, appProtocol: "grpc", route }];
      return { services };
    };

    it("a route on the ingress host naming its services: nginx proxies them with grpc_pass to the api container's port, which stays unpublished", async () => {
      const { recorder } = await buildStack("dev", { environment: "prod", ...withGrpc({ host: "app.dev.example.com", services: ["orders.v1.Orders"] }) }, { secrets: DEV_SECRETS });
      const edge = unwrapSecrets(recorder.one("docker:index/container:Container", "edge-container").inputs);
      const conf = edge.uploads.find((u: any) => u.file === "/etc/nginx/platform/nginx.conf").content as string;
      expect(conf).toContain("location ^~ /orders.v1.Orders/ {");
      expect(conf).toContain('set $grpc_api__grpc "api:9090";');
      expect(conf).toContain("grpc_pass grpc://$grpc_api__grpc;");
      // The edge waits for the api container it proxies gRPC to; the gRPC port is never published on the host.
      expect(recorder.one("docker:index/container:Container", "edge-container").dependencies).toContain(recorder.one("docker:index/container:Container", "api-container").urn);
      expect(unwrapSecrets(recorder.one("docker:index/container:Container", "api-container").inputs).ports.map((p: any) => p.internal)).toEqual([8000]);
    });

    it("a route on a host no certificate covers is reported at the route's key path", async () => {
      const message = await stackError("dev", withGrpc({ host: "grpc.dev.example.com" }), { secrets: DEV_SECRETS });
      expect(message).toContain('platform:services[1].extraPorts[0].route.host: is covered by no certificate; add it (or a matching *.domain wildcard) to the hosts of one (got "grpc.dev.example.com")');
    });

    it("every call routed on the web host clashes with the web service's / and names both", async () => {
      // api has no ingress of its own, so the service-level rule (services required on a shared host) cannot see web.
      const message = await stackError("dev", withGrpc({ host: "app.dev.example.com" }), { secrets: DEV_SECRETS });
      expect(message).toContain('platform:services[1].extraPorts[0].route: is already routed to service web; each host and path may go to one service (got "app.dev.example.com/")');
    });
  });

  describe("Docker edge bad input fails before anything is registered", () => {
    it("an ingress on Docker without a certificate names the hosts and what to add", async () => {
      const { edgeTlsCertificate: _c, edgeTlsKey: _k, ...secrets } = DEV_SECRETS;
      const message = await stackError("dev", { dockerEdge: undefined }, { secrets });
      expect(message).toContain("platform:dockerEdge.certificates: must cover the ingress hosts of the docker edge (app.dev.example.com)");
    });

    it("an ingress host no certificate covers is reported at the service's ingress", async () => {
      const dockerEdge = { ...(readStackFile("dev")["platform:dockerEdge"] as object), certificates: [{ hosts: ["*.example.org"], certificateSecret: "edgeTlsCertificate", keySecret: "edgeTlsKey" }] };
      const message = await stackError("dev", { dockerEdge }, { secrets: DEV_SECRETS });
      expect(message).toContain('platform:services[0].ingress.host: is covered by no certificate; add it (or a matching *.domain wildcard) to the hosts of one (got "app.dev.example.com")');
    });

    it("the edge's HTTPS port colliding with a service's port names both", async () => {
      const dockerEdge = { ...(readStackFile("dev")["platform:dockerEdge"] as object), httpsPort: 8000 };
      const message = await stackError("dev", { dockerEdge }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:dockerEdge.httpsPort: host port 8000 on 127.0.0.1 (edge proxy HTTPS) is already published by platform:services[1].port (service api on 127.0.0.1)");
    });

    it("its certificate secrets are required like any other secret", async () => {
      const { edgeTlsKey: _omit, ...secrets } = DEV_SECRETS;
      const message = await stackError("dev", {}, { secrets });
      expect(message).toContain("platform:dockerEdge.certificates[0].keySecret: missing required secret platform:edgeTlsKey");
    });
  });
}
