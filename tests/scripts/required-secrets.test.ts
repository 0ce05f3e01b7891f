import { parseAlerting, alertingRequiredSecrets } from "../../stacks/sections/alerting";
import { backupsRequiredSecrets, parse as parseBackups } from "../../stacks/sections/backups";
import { dockerEdgeRequiredSecrets, parseDockerEdge } from "../../stacks/sections/docker-edge";
import { parseFoundation, foundationRequiredSecrets } from "../../stacks/sections/foundation";
import { loggingRequiredSecrets, parseLogging } from "../../stacks/sections/logging";
import { parseServices, servicesRequiredSecrets } from "../../stacks/sections/services";
import { readStackFile } from "../helpers/stack";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { requiredSecrets, certificatePairs } = require("../../scripts/required-secrets.js") as {
  requiredSecrets(c: Record<string, unknown>): string[];
  certificatePairs(c: Record<string, unknown>): Array<{ certificateSecret: string; keySecret: string; hosts: string[] }>;
};

/** What the typed sections say a stack file needs (the source of truth). */
function fromSections(config: Record<string, unknown>): string[] {
  const raw = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith("platform:")).map(([k, v]) => [k.slice(9), v]));
  const root = { cloud: String(raw.cloud ?? "none"), target: String(raw.target) };
  const keys = [
    ...servicesRequiredSecrets(parseServices(raw.services, { serviceDefaults: raw.serviceDefaults, serviceTemplates: raw.serviceTemplates })),
    ...alertingRequiredSecrets(parseAlerting(raw.alerting)),
    ...foundationRequiredSecrets(parseFoundation(raw), root),
    ...dockerEdgeRequiredSecrets(parseDockerEdge(raw.dockerEdge)),
    ...backupsRequiredSecrets(parseBackups(raw.backups)),
    ...loggingRequiredSecrets(parseLogging(raw.logging)),
  ].map((r) => r.key);
  return [...new Set(keys)].sort();
}

describe("scripts/required-secrets.js (used by npm run up:dev)", () => {
  it.each(["dev", "staging", "prod"])("lists exactly the secrets the %s stack's sections require", (stack) => {
    const config = readStackFile(stack);
    expect(requiredSecrets(config)).toEqual(fromSections(config));
    expect(requiredSecrets(config)).toContain("apiJwtSecret");
  });

  it("lists the dev edge's certificate pair separately, so up:dev can make a self-signed one instead of random bytes", () => {
    const config = readStackFile("dev");
    expect(requiredSecrets(config)).toEqual(expect.arrayContaining(["edgeTlsCertificate", "edgeTlsKey"]));
    expect(certificatePairs(config)).toEqual([{ certificateSecret: "edgeTlsCertificate", keySecret: "edgeTlsKey", hosts: ["app.dev.example.com"] }]);
  });

  it("includes secrets that services get from serviceDefaults and their template", () => {
    const config: Record<string, any> = {
      ...readStackFile("dev"),
      "platform:serviceDefaults": { secretEnv: { SENTRY_DSN: "sentryDsn" } },
      "platform:serviceTemplates": { payments: { secretEnv: { STRIPE_KEY: "stripeKey" } } },
    };
    config["platform:services"][2].template = "payments";
    expect(requiredSecrets(config)).toEqual(expect.arrayContaining(["sentryDsn", "stripeKey"]));
    expect(requiredSecrets(config)).toEqual(fromSections(config));
  });

  it("includes the static credentials of an S3-compatible backup destination on Docker", () => {
    const config = {
      ...readStackFile("dev"),
      "platform:backups": [{ name: "main-db-backup", database: "main-db", destination: { type: "s3", bucket: "backups", endpointUrl: "https://minio.internal:9000", credentials: { accessKeyIdSecret: "s3Id", secretAccessKeySecret: "s3Key" } } }],
    };
    expect(requiredSecrets(config)).toEqual(expect.arrayContaining(["s3Id", "s3Key"]));
    expect(requiredSecrets(config)).toEqual(fromSections(config));
  });

  it("includes an external log sink's password only while logging is on", () => {
    const sink = { type: "elasticsearch", url: "https://es.example.com:9200", user: "shipper", passwordSecret: "esPassword" };
    const on = { ...readStackFile("prod"), "platform:logging": { enabled: true, sink } };
    const off = { ...readStackFile("prod"), "platform:logging": { enabled: false, sink } };
    expect(requiredSecrets(on)).toContain("esPassword");
    expect(requiredSecrets(off)).not.toContain("esPassword");
    expect(requiredSecrets(on)).toEqual(fromSections(on));
    expect(requiredSecrets(off)).toEqual(fromSections(off));
  });

  it("includes the kubeconfig for an existing cluster", () => {
    const config = { ...readStackFile("staging"), "platform:cluster": { mode: "existing" } };
    expect(requiredSecrets(config)).toContain("kubeconfig");
    expect(fromSections(config)).toContain("kubeconfig");
  });
});
