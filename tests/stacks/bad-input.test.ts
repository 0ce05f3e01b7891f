import { readStackFile, stackError } from "../helpers/stack";
import { CLOUD_SECRETS, DEV_SECRETS, STAGING_SECRETS } from "./fixtures";

/** Services of the bundled dev stack, to derive bad variants from. */
const devServices = () => structuredClone(readStackFile("dev")["platform:services"]) as any[];

describe("invalid stack config fails before anything is registered", () => {
  it("unknown environment", async () => {
    const message = await stackError("dev", { environment: "qa" }, { secrets: DEV_SECRETS });
    expect(message).toContain('platform:environment');
    expect(message).toContain('(got "qa")');
  });

  it("unknown target", async () => {
    const message = await stackError("dev", { target: "nomad" }, { secrets: DEV_SECRETS });
    expect(message).toMatch(/platform:target: .*docker.*kubernetes.* \(got "nomad"\)/);
  });

  it("unknown cloud", async () => {
    const message = await stackError("staging", { cloud: "gcp" }, { secrets: CLOUD_SECRETS });
    expect(message).toMatch(/platform:cloud: .*aws.*alicloud.*none.* \(got "gcp"\)/);
  });

  it("a mistyped top-level key instead of silently using defaults", async () => {
    const message = await stackError("dev", { servics: [] }, { secrets: DEV_SECRETS });
    expect(message).toContain("platform:servics: unknown key");
  });

  it("a chart source that is neither pinned nor a chart directory", async () => {
    const message = await stackError("staging", {
      charts: { "kube-prometheus-stack": { path: "no/such/chart" }, "cert-manager": { repo: "https://mirror.example.com/charts", version: "" } },
    }, { secrets: CLOUD_SECRETS });
    expect(message).toContain('platform:charts.kube-prometheus-stack.path: must be a chart directory containing Chart.yaml');
    expect(message).toContain('(got "no/such/chart")');
    expect(message).toContain("platform:charts.cert-manager.version: a remote chart must be pinned to a version");
  });

  it("a missing required secret, naming the setting that needs it and how to set it", async () => {
    const message = await stackError("dev", {}, { secrets: { slackWebhookUrl: "https://hooks.slack.test/x" } });
    expect(message).toContain("missing required secret platform:apiJwtSecret");
    expect(message).toContain("pulumi config set --secret platform:apiJwtSecret");
    expect(message).toContain("platform:services[1].secretEnv.JWT_SECRET");
  });

  it("a secret given in plaintext", async () => {
    const message = await stackError("dev", { apiJwtSecret: "plain" }, { secrets: { slackWebhookUrl: "https://hooks.slack.test/x" } });
    expect(message).toContain("platform:apiJwtSecret is stored in plaintext");
  });

  it("an unpinned image", async () => {
    const services = devServices();
    services[0].image = "ghcr.io/example-org/web:latest";
    const message = await stackError("dev", { services }, { secrets: DEV_SECRETS });
    expect(message).toContain('platform:services[0].image');
    expect(message).toContain('(got "ghcr.io/example-org/web:latest")');
  });

  it("duplicate service names", async () => {
    const services = devServices();
    services[2].name = "api";
    const message = await stackError("dev", { services }, { secrets: DEV_SECRETS });
    expect(message).toContain("platform:services[2].name");
    expect(message).toContain('"api"');
  });

  it("a service connecting to a database that does not exist", async () => {
    const services = devServices();
    services[1].connections = [{ database: "orders-db", envPrefix: "ORDERS" }];
    const message = await stackError("dev", { services }, { secrets: DEV_SECRETS });
    expect(message).toContain("platform:services[1].connections[0].database");
    expect(message).toContain('"orders-db"');
  });

  it("a backup of an unknown database", async () => {
    const message = await stackError("dev", { backups: [{ name: "orphan", database: "missing-db" }] }, { secrets: DEV_SECRETS });
    expect(message).toContain('platform:backups[0].database');
    expect(message).toContain('"missing-db"');
  });

  it("an alert route to an undeclared receiver", async () => {
    const alerting = structuredClone(readStackFile("staging")["platform:alerting"]) as any;
    alerting.routes.critical.push("sms");
    const message = await stackError("staging", { alerting }, { secrets: STAGING_SECRETS });
    expect(message).toContain("platform:alerting.routes.critical[2]");
    expect(message).toContain('"sms"');
  });

  it("staging routing criticals to the prod pager", async () => {
    const alerting = structuredClone(readStackFile("prod")["platform:alerting"]) as any;
    const message = await stackError("staging", { alerting }, { secrets: CLOUD_SECRETS });
    expect(message).toContain("platform:alerting.routes.critical[0]: staging does not page");
    expect(message).toContain('"pager"');
  });

  it("prod on a single zone", async () => {
    const message = await stackError("prod", { network: { zones: 1 } }, { secrets: CLOUD_SECRETS });
    expect(message).toContain("platform:network.zones");
    expect(message).toContain("(got 1)");
  });

  it("an existing cluster without its kubeconfig secret", async () => {
    const message = await stackError("staging", { cluster: { mode: "existing" } }, { secrets: STAGING_SECRETS });
    expect(message).toContain("missing required secret platform:kubeconfig");
  });
});
